export { type ButlerConfig, type ConfigEnv, defineConfig, type UserConfig } from './config.js';
export { defaultPlugins } from './default-plugins.js';
export { main } from './main.js';
