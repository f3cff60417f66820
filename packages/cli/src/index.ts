export { defaultPlugins } from '@devops-butler/default-plugins';
export {
  type ButlerConfig,
  type ConfigEnv,
  type DeployConfig,
  defineConfig,
  type ImageConfig,
  type UserConfig,
} from './config.js';
export { main } from './main.js';
