export {
  type BuildMessage,
  BuildProgress,
  followBuildResponse,
  loadBuildkitDecoder,
} from './build-progress.js';
export {
  type BuildSecret,
  type BuildSession,
  type BuildSshAgent,
  openBuildSession,
  type SessionServices,
} from './build-session.js';
export type { BuildkitStatus } from './buildkit-status.js';
export {
  closedDuring,
  type EngineEndpoint,
  engineBuild,
  engineError,
  engineTimeoutSeconds,
  inspectImage,
  plainEndpoint,
  requirePlainEndpoint,
  unreachable,
} from './engine-api.js';
export {
  apiBuilder,
  type BuilderChoice,
  builderFromEnvironment,
  chooseApiBuilder,
  describeBuilder,
  type EngineBuilder,
  engineBuilder,
  engineBuilderFromPing,
} from './engine-builder.js';
export {
  type ContainerSpec,
  type ContainerState,
  containersLabelled,
  createContainer,
  enableRestarts,
  ensureNetwork,
  execInContainer,
  inspectContainer,
  isAnonymousVolume,
  logLinesSince,
  logTail,
  type Mount,
  removeContainer,
  renameContainer,
  signalContainer,
  startContainer,
  stopContainer,
} from './engine-containers.js';
export { contextEndpoint, endpointFromHost, engineAddress, engineEndpoint } from './engine-endpoint.js';
export { imageUsers } from './engine-image-users.js';
export {
  type BuildCacheRecord,
  type BuildCacheUsage,
  buildCacheRecords,
  buildCacheUsage,
  deleteImageReference,
  type EngineImageSummary,
  enginePlatform,
  type ImageDiskUsage,
  type ImageHistoryEntry,
  imageDiskUsage,
  imageHistory,
  listImages,
  pruneBuildCache,
  pruneBuildCacheRecord,
  tagImage,
} from './engine-images.js';
export {
  inspectRemote,
  NOT_FOUND,
  pull,
  push,
  type RemoteManifest,
  registryError,
} from './engine-registry.js';
export {
  createService,
  inspectService,
  listServices,
  removeService,
  type ServiceSpec,
  type ServiceState,
  type ServiceTask,
  type ServiceUpdateConfig,
  type SwarmMembership,
  serviceImageDigests,
  serviceTasks,
  swarmMembership,
  taskLogTail,
  updateService,
} from './engine-swarm.js';
export {
  type EngineSsh,
  type EngineTls,
  endpointAddress,
  isLocalEndpoint,
  type LocalEngineEndpoint,
} from './engine-transport.js';
export { familiarTag, familiarTags } from './familiar-tags.js';
export type { SyncFolders } from './file-sync.js';
export { jsonLines, type TransferMessage, TransferProgress } from './transfer-progress.js';
