// Imports the source, not dist: this package is the one that provides the shared config.
import { butlerVitestConfig } from './src/vitest-config.js';

export default butlerVitestConfig();
