import { compareCodeUnits } from '../kernel/text-order.js';

/** One dependency an image includes, as a manifest plugin resolved it. */
export interface Dependency {
  /** The ecosystem's own name for it: `express`, `org.slf4j:slf4j-api`, `golang.org/x/text`. */
  name: string;
  /** The resolved version from a lockfile; the declared range where nothing resolves it. */
  version: string;
  /** Declared by the project itself (not only pulled in by another dependency). */
  direct: boolean;
  /** Why a fresh build could pick another version (no lockfile, a range, SNAPSHOT, a branch); absent when pinned. */
  unpinned?: string;
}

/** A manifest or lockfile that could not be parsed; the build goes on with its bytes hashed. */
export interface ManifestProblem {
  file: string;
  line?: number;
  /** What went wrong, never the file's content (`not valid syntax`, `is a link to a place outside …`). */
  message: string;
  /** True when the file was not read at all (a link out of the context, not a regular file, unreadable). */
  unread?: boolean;
}

/** What a manifest plugin's parser found among the build's inputs. */
export interface DependencyReport {
  dependencies: Dependency[];
  /** Notes worth a warning that are not parse failures (a binary lockfile, say). */
  notes?: string[];
}

/** What goes on the image label and into `--json`: bounded, with the direct dependencies named. */
export interface DependencySummary {
  direct: Record<string, string>;
  counts: { direct: number; transitive: number; unpinned: number };
}

/** Merges duplicates (one name at one version) and sorts by name, then version. */
export function normalizeDependencies(dependencies: readonly Dependency[]): Dependency[] {
  const byKey = new Map<string, Dependency>();
  for (const dependency of dependencies) {
    const key = `${dependency.name}\0${dependency.version}`;
    const seen = byKey.get(key);
    if (!seen) byKey.set(key, { ...dependency });
    else {
      seen.direct ||= dependency.direct;
      seen.unpinned ??= dependency.unpinned;
    }
  }
  return [...byKey.values()].sort(
    (a, b) => compareCodeUnits(a.name, b.name) || compareCodeUnits(a.version, b.version),
  );
}

/**
 * The fingerprint a plugin adds to the hash: one line per dependency, sorted, so the order and
 * formatting of manifests do not matter but any version change does.
 */
export function dependencyFingerprint(dependencies: readonly Dependency[]): string {
  return normalizeDependencies(dependencies)
    .map((d) => `${d.name} ${d.version} ${d.direct ? 'direct' : 'transitive'}`)
    .join('\n');
}

/** Counts plus the direct dependencies by name. */
export function summarizeDependencies(dependencies: readonly Dependency[]): DependencySummary {
  const normalized = normalizeDependencies(dependencies);
  const direct: Record<string, string> = {};
  for (const d of normalized) if (d.direct) direct[d.name] = d.version;
  return {
    direct,
    counts: {
      direct: normalized.filter((d) => d.direct).length,
      transitive: normalized.filter((d) => !d.direct).length,
      unpinned: normalized.filter((d) => d.unpinned !== undefined).length,
    },
  };
}

/** Declared dependencies a lockfile does not list: a fresh install resolves them anew, so they are unpinned. */
export function notInLockfile(
  declared: ReadonlyMap<string, string>,
  locked: Iterable<{ name: string }>,
  lockfile: string,
): Dependency[] {
  const lockedNames = new Set([...locked].map((p) => p.name));
  return [...declared]
    .filter(([name]) => !lockedNames.has(name))
    .map(([name, version]) => ({ name, version, direct: true, unpinned: `not in ${lockfile}` }));
}
