export { type Checkout, checkout } from './checkout.js';
export {
  ALLOWED_PROTOCOLS,
  type DeploySource,
  parseSource,
  redact,
  withoutCredentials,
} from './git-source.js';
