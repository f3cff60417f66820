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
} from '@devops-butler/engine-client';
export { ensureFrontImage, FRONT_LABEL, FRONT_REPO, frontName, frontReference } from './host/front.js';
export { type HealthOptions, type HealthResult, waitHealthy } from './host/health.js';
export { hostTarget } from './host/host-target.js';
export { DEPLOYMENT_LABEL } from './host/own-container.js';
export { recoverDeployment } from './host/recovery.js';
export { planRecovery, type RecoveryStep, type SwapState } from './host/recovery-plan.js';
export { type ReplaceOptions, type ReplaceResult, replaceContainer } from './host/swap.js';
export { removeDeployment } from './host/undeploy.js';
export {
  assertContainerName,
  DEFAULT_NETWORK,
  type DeployOptions,
  type DeployResult,
  type RepositoryConfig,
  runPipeline,
} from './pipeline.js';
export { type RollbackOptions, type RollbackResult, rollback } from './rollback.js';
export {
  assertRolloutRegistry,
  type HostOutcome,
  RolloutError,
  type RolloutHost,
  rollOut,
  rolloutHosts,
} from './rollout.js';
export { type DeploymentNow, deploymentsNow } from './running.js';
export { type Checkout, checkout } from './shared/checkout.js';
export {
  ALLOWED_PROTOCOLS,
  type DeploySource,
  parseSource,
  redact,
  withoutCredentials,
} from './shared/git-source.js';
export {
  type DeployedVersion,
  deploymentVersions,
  historiesByEngine,
  recordEngine,
  rollbackTarget,
} from './shared/history.js';
export { checkoutLock, deploymentLock } from './shared/locks.js';
export {
  assertDistinctTargets,
  DEFAULT_KEEP_VERSIONS,
  type DeployHost,
  type DeploySettings,
  formatMount,
  parseEnvFile,
  parseMount,
  shownSettings,
} from './shared/settings.js';
export { UnhealthyDeployError } from './shared/unhealthy.js';
export type {
  DeployTarget,
  GoLiveOutcome,
  GoLiveRun,
  Placement,
  Release,
  RemovedDeployment,
  RunningState,
  TargetKind,
} from './target.js';
export { deployTarget, recordedTarget } from './targets.js';
export { type UndeployOptions, undeploy } from './undeploy.js';
