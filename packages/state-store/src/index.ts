export {
  builtImageIdsIn,
  dependenciesOf,
  lastUsedIn,
  recordBuildFailure,
  recordBuildResult,
  rollbackImageIdsIn,
} from './build-record.js';
export { diffLines, diffManifests, type InputDiff, type ValueChange } from './input-diff.js';
export { type InputManifest, toInputManifest } from './input-manifest.js';
export { MIGRATIONS } from './migrations.js';
export { recordBuilds } from './record-builds.js';
export {
  type BuildFailureRecord,
  type BuildRecord,
  type Decision,
  type DeploymentRecord,
  LOCAL_ENGINE,
  type RepoStats,
  StateStore,
} from './state-store.js';
export { holdStateStore, openStateStore, withStateStore } from './with-store.js';
