import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

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

/** The config file a folder holds, if any (package.json counts only with a "butler" key). Reads, never runs. */
export function configFileIn(dir: string): string | undefined {
  return CONFIG_FILES.find((file) => {
    const path = join(dir, file);
    if (!existsSync(path)) return false;
    if (file !== 'package.json') return true;
    try {
      return (JSON.parse(readFileSync(path, 'utf8')) as { butler?: unknown }).butler !== undefined;
    } catch {
      return false;
    }
  });
}
