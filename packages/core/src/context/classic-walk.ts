import { createPatternMatcher } from './dockerignore.js';

/**
 * The entries (files, and folders listed only for what is below them) the classic builder's context walk never reaches (the docker CLI's legacy builder and
 * Engine API builds without BuildKit: moby's archive.TarWithOptions). Both builders keep a file
 * that an exception (`!pattern`) re-includes, but they walk differently: the classic walk enters an
 * ignored folder only when an exception's text starts with that folder (`!b/keep.md` enters `b`,
 * `!**\/keep.md` does not), while BuildKit enters every ignored folder when an exception has a
 * wildcard. `patterns` are parseDockerignore's; `alwaysSent` (the Dockerfile) is never dropped.
 */
export function unreachedByClassicWalk(
  files: readonly string[],
  patterns: readonly string[],
  alwaysSent: readonly string[] = [],
): string[] {
  const exceptions = patterns.filter((p) => p.startsWith('!')).map((p) => `${p.slice(1)}/`);
  if (exceptions.length === 0) return [];
  const ignored = createPatternMatcher(patterns);
  const entered = new Map<string, boolean>();
  const enters = (dir: string): boolean => {
    let known = entered.get(dir);
    if (known === undefined) {
      known = !ignored(dir) || exceptions.some((e) => e.startsWith(`${dir}/`));
      entered.set(dir, known);
    }
    return known;
  };
  return files.filter((file) => {
    if (alwaysSent.includes(file)) return false;
    // An entry that is itself ignored is listed only as the folder of kept files (BuildKit's walk
    // sends it); the classic walk skips it whole, so not even the empty folder arrives.
    if (ignored(file)) return true;
    const parts = file.split('/');
    for (let depth = 1; depth < parts.length; depth++) {
      if (!enters(parts.slice(0, depth).join('/'))) return true;
    }
    return false;
  });
}
