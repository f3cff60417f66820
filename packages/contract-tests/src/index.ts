export { describeBackendContract } from './backend-contract.js';
export {
  describeEcosystem,
  describeManifestPlugin,
  type EcosystemCase,
  reorderTomlLock,
} from './manifest-plugin-contract.js';
export { resolveTree } from './resolve-tree.js';
