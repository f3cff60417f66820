export { describeBackendContract } from './backend-contract.js';
export { describeManifestPlugin } from './manifest-plugin-contract.js';
