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
  engineExchange,
  engineRequest,
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
export { contextEndpoint, endpointFromHost, engineAddress, engineEndpoint } from './engine-endpoint.js';
export {
  type BuildCacheUsage,
  buildCacheUsage,
  type EngineImageSummary,
  type ImageDiskUsage,
  imageDiskUsage,
  listImages,
  pruneBuildCache,
} from './engine-images.js';
export { type EngineSsh, type EngineTls, endpointAddress, isLocalEndpoint } from './engine-transport.js';
export { familiarTag, familiarTags } from './familiar-tags.js';
