import { type LockedPackage, parsePackageLock } from './package-lock.js';

export type { LockedPackage };

/** A lockfile parser, bound to what the project's manifests declare. */
export type LockfileParser = (text: string) => LockedPackage[];

/**
 * The parser for a text lockfile, by its file name. The YAML, Syml and JSONC libraries load only
 * when such a lockfile is in the build: every `butler` run pays for what it imports.
 */
export async function lockfileParser(
  fileName: string,
  declared: ReadonlyMap<string, string>,
): Promise<LockfileParser> {
  const names = new Set(declared.keys());
  switch (fileName) {
    case 'pnpm-lock.yaml': {
      const { parsePnpmLock } = await import('./pnpm-lock.js');
      return parsePnpmLock;
    }
    case 'yarn.lock': {
      const { parseYarnLock } = await import('./yarn-lock.js');
      return (text) => parseYarnLock(text, declared);
    }
    case 'bun.lock': {
      const { parseBunLock } = await import('./bun-lock.js');
      return (text) => parseBunLock(text, names);
    }
    default:
      return (text) => parsePackageLock(text, names);
  }
}
