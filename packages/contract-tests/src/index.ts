export { describeBackendContract } from './backend-contract.js';
export { describeEcosystem, describeManifestPlugin, type EcosystemCase } from './manifest-plugin-contract.js';
export { resolveTree } from './resolve-tree.js';
