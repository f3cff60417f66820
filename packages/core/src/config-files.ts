/** Where a Butler config may live in a folder, in the order they are searched. */
export const CONFIG_FILES = [
  'package.json',
  '.butlerrc',
  '.butlerrc.json',
  '.butlerrc.js',
  '.butlerrc.mjs',
  '.butlerrc.cjs',
  'butler.config.ts',
  'butler.config.mts',
  'butler.config.js',
  'butler.config.mjs',
  'butler.config.cjs',
  'butler.config.json',
] as const;
