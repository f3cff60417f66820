export { type BuildImageOptions, buildImage } from './build-image.js';
export { clearForceMarker, hasForceMarker, setForceMarker } from './force-marker.js';
export { type RemoteCacheSetting, remoteCacheMode } from './remote-cache-setting.js';
export {
  type BuildSettings,
  type ForceReason,
  forcedByEnvironment,
  type ResolvedBuildSettings,
  resolveBuildSettings,
  resolveRemoteCache,
} from './resolve-build-settings.js';
export { type RetentionInputs, retentionInputs } from './retention-inputs.js';
export { type BuildCallbacks, type RunBuildResult, retentionPlugin, runBuild } from './run-build.js';
