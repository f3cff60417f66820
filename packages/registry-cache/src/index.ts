export { inspectRemote, NOT_FOUND, pull, push, type RemoteManifest } from '@devops-butler/engine-client';
export { credentialsFor, type RegistryCredentials, registryAuthHeader } from './credentials.js';
export { MANIFEST_TYPES, type Manifest, RegistryClient } from './registry-client.js';
export {
  parseRegistry,
  type RegistryLocation,
  repositoryPath,
} from './registry-name.js';
export {
  type RemoteCacheMessage,
  type RemoteCacheMode,
  type RemoteCacheOptions,
  remoteCache,
  samePlatform,
} from './remote-cache.js';
export { type RemoteEntry, type RemoteRetentionReport, runRemoteRetention } from './remote-retention.js';
