export {
  type ButlerConfig,
  type ConfigEnv,
  defineConfig,
  type ImageConfig,
  type UserConfig,
} from './config.js';
export { defaultPlugins } from './default-plugins.js';
export { main } from './main.js';
