export { type BuildMessage, BuildProgress, followBuildResponse } from './build-progress.js';
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
