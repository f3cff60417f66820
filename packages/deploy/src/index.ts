export { type Checkout, checkout } from './checkout.js';
export {
  type ContainerSpec,
  type ContainerState,
  createContainer,
  ensureNetwork,
  inspectContainer,
  logTail,
  type Mount,
  removeContainer,
  renameContainer,
  startContainer,
} from './containers.js';
export { ensureFrontImage, FRONT_LABEL, FRONT_REPO, frontName } from './front.js';
export {
  ALLOWED_PROTOCOLS,
  type DeploySource,
  parseSource,
  redact,
  withoutCredentials,
} from './git-source.js';
export { type HealthOptions, type HealthResult, waitHealthy } from './health.js';
export { type DeployedVersion, deploymentVersions, rollbackTarget } from './history.js';
export {
  assertContainerName,
  DEFAULT_NETWORK,
  type DeployOptions,
  type DeployResult,
  type RepositoryConfig,
  runPipeline,
} from './pipeline.js';
export {
  DEPLOYMENT_LABEL,
  deploymentLock,
  type RemovedDeployment,
  recoverDeployment,
  removeDeployment,
  UnhealthyDeployError,
} from './replace.js';
export { type RollbackOptions, type RollbackResult, rollback } from './rollback.js';
export {
  assertDistinctTargets,
  DEFAULT_KEEP_VERSIONS,
  type DeploySettings,
  formatMount,
  parseEnvFile,
  parseMount,
  shownSettings,
} from './settings.js';
