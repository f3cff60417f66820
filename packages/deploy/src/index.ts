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
export {
  ALLOWED_PROTOCOLS,
  type DeploySource,
  parseSource,
  redact,
  withoutCredentials,
} from './git-source.js';
export { type HealthOptions, type HealthResult, waitHealthy } from './health.js';
