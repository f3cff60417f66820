export { type Checkout, checkout } from './checkout.js';
export {
  type ContainerSpec,
  type ContainerState,
  createContainer,
  ensureNetwork,
  inspectContainer,
  logTail,
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
export { type DeployedVersion, deploymentVersions } from './history.js';
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
