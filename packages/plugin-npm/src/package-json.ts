/** What a package.json declares: dependencies by name with their ranges, and workspace globs. */
export interface PackageManifest {
  name?: string;
  declared: Map<string, string>;
  workspaces: string[];
}

const DEPENDENCY_FIELDS = ['dependencies', 'devDependencies', 'optionalDependencies'] as const;

/** Parses package.json text (throws on invalid JSON, with the position in the message). */
export function parsePackageJson(text: string): PackageManifest {
  const json = JSON.parse(text) as Record<string, unknown>;
  const declared = new Map<string, string>();
  for (const field of DEPENDENCY_FIELDS) {
    const block = json[field];
    if (block && typeof block === 'object') {
      for (const [name, range] of Object.entries(block)) declared.set(name, String(range));
    }
  }
  const workspaces = Array.isArray(json.workspaces)
    ? json.workspaces
    : ((json.workspaces as { packages?: unknown } | undefined)?.packages ?? []);
  return {
    ...(typeof json.name === 'string' ? { name: json.name } : {}),
    declared,
    workspaces: Array.isArray(workspaces) ? workspaces.map(String) : [],
  };
}

/** Ranges that point inside the repository rather than at a published version. */
export function isLocalRange(range: string): boolean {
  return /^(workspace|file|link|portal):/.test(range);
}

/** Why a declared range, with no lockfile behind it, may resolve differently next time. */
export function unpinnedReason(range: string): string {
  if (/^(git\+|git:|github:|https?:)|\/.*#/.test(range)) return 'no lockfile, a git or URL source';
  if (/^\d+\.\d+\.\d+(-[\w.]+)?$/.test(range)) return 'no lockfile, its own dependencies float';
  return 'no lockfile, a version range';
}
