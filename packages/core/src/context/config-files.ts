import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ButlerError } from '../kernel/errors.js';
import { lineOfError } from '../manifests/manifest-files.js';

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
    const text = readFileSync(path, 'utf8');
    try {
      return (JSON.parse(text) as { butler?: unknown }).butler !== undefined;
    } catch (error) {
      // Broken JSON is the npm plugin's business (a warning), unless it meant to hold Butler's
      // config: then building without that config would surprise, so it is one clear error.
      if (!/"butler"\s*:/.test(text)) return false;
      const line = lineOfError(error, text);
      throw new ButlerError(
        'CONFIG_INVALID',
        `${path}${line === undefined ? '' : ` line ${line}`}: ${(error as Error).message.split('\n')[0]}`,
        { hint: 'fix the JSON (its "butler" key is where Butler reads its config from)' },
      );
    }
  });
}
