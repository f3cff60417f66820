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
  // File names (depth 1, no glob) are checked against the path's end without cutting it: a hit
  // runs every manifest plugin over every path, and a slice per path and plugin is garbage.
  const fileNames = [...(byDepth.get(1)?.names ?? [])];
  const onlyFileNames = depths.length === 1 && byDepth.get(1)?.globs.length === 0;
  if (onlyFileNames) return (path) => fileNames.some((name) => endsWithName(path, name));
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

/** Whether the last segment of a '/' path is `name`. */
function endsWithName(path: string, name: string): boolean {
  return path.endsWith(name) && (path.length === name.length || path[path.length - name.length - 1] === '/');
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

/**
 * Context file lists → their paths' indices by file name, built once per list for all plugins;
 * with the list's length, so a list a plugin appended to in place is indexed again.
 */
const byFileName = new WeakMap<readonly string[], { length: number; index: Map<string, number[]> }>();

function fileNameIndex(files: readonly string[]): Map<string, number[]> {
  const known = byFileName.get(files);
  if (known?.length === files.length) return known.index;
  const index = new Map<string, number[]>();
  files.forEach((path, i) => {
    const name = path.slice(path.lastIndexOf('/') + 1);
    const list = index.get(name);
    if (list) list.push(i);
    else index.set(name, [i]);
  });
  byFileName.set(files, { length: files.length, index });
  return index;
}

/**
 * The context files that are an ecosystem's manifests, in the list's order: the same answer as
 * `files.filter(createManifestMatcher(patterns))`. A hit runs every manifest plugin over the same
 * list, so each plugin looks file names up in one index of the list instead of testing every path:
 * a path can only match a pattern whose last segment matches its name (`requirements/*.txt` needs a
 * name matching `*.txt`), and only those paths are tested whole.
 */
export function createManifestFinder(patterns: readonly string[]): (files: readonly string[]) => string[] {
  const isManifest = createManifestMatcher(patterns);
  const lastSegments = patterns.map((pattern) => pattern.slice(pattern.lastIndexOf('/') + 1));
  const names = new Set(lastSegments.filter((segment) => !hasGlobMeta(segment)));
  const globs = lastSegments.filter(hasGlobMeta).map((pattern) => {
    const literals = pattern.split(/[*?[\\\]]/);
    // The literal text before the first and after the last glob character: most names fail on them.
    return {
      pattern,
      prefix: literals[0] ?? '',
      suffix: pattern.endsWith(']') ? '' : (literals.at(-1) ?? ''),
    };
  });
  const byNameOnly = patterns.every((pattern) => !pattern.includes('/'));
  return (files) => {
    const index = fileNameIndex(files);
    const found: number[] = [];
    const take = (at: readonly number[]) => {
      for (const i of at) if (byNameOnly || isManifest(files[i] as string)) found.push(i);
    };
    for (const name of names) take(index.get(name) ?? []);
    if (globs.length > 0) {
      // forEach, not for…of: no entry array and iterator result per name (20,000 names: 2 MB of garbage).
      index.forEach((at, name) => {
        if (
          !names.has(name) &&
          globs.some(
            (g) => name.startsWith(g.prefix) && name.endsWith(g.suffix) && matchGlob(g.pattern, name),
          )
        )
          take(at);
      });
    }
    return found.sort((a, b) => a - b).map((i) => files[i] as string);
  };
}
