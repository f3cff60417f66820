import { hasGlobMeta, matchGlob } from '../patterns/path-glob.js';

/**
 * Whether a context path is one of an ecosystem's manifests: a pattern (`requirements*.txt`)
 * matches the file's name in any folder; one with a `/` (`requirements/*.txt`) matches as many
 * trailing path segments. Built once per plugin: a hit runs it over every file in the context, so
 * names without glob characters are a set lookup and no path is split.
 */
export function createManifestMatcher(patterns: readonly string[]): (path: string) => boolean {
  const byDepth = new Map<number, { names: Set<string>; globs: { pattern: string; prefix: string }[] }>();
  for (const pattern of patterns) {
    const depth = pattern.split('/').length;
    const entry = byDepth.get(depth) ?? { names: new Set<string>(), globs: [] };
    // The literal text before the first glob character: most names fail on it without the automaton.
    if (hasGlobMeta(pattern)) entry.globs.push({ pattern, prefix: pattern.split(/[*?[\\]/)[0] ?? '' });
    else entry.names.add(pattern);
    byDepth.set(depth, entry);
  }
  const depths = [...byDepth].sort(([a], [b]) => a - b);
  return (path) => {
    for (const [depth, { names, globs }] of depths) {
      const tail = lastSegments(path, depth);
      if (tail === undefined) return false;
      if (names.has(tail)) return true;
      if (globs.some((glob) => tail.startsWith(glob.prefix) && matchGlob(glob.pattern, tail))) return true;
    }
    return false;
  };
}

/** The last `count` segments of a '/' path, or undefined when it has fewer. */
function lastSegments(path: string, count: number): string | undefined {
  let start = path.length;
  for (let i = 0; i < count; i++) {
    if (start < 0) return undefined;
    start = path.lastIndexOf('/', start - 1);
  }
  return path.slice(start + 1);
}
