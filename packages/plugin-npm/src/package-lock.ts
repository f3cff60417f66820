/** One package a lockfile resolves. `direct` when a project manifest declares it at that place. */
export interface LockedPackage {
  name: string;
  version: string;
  direct: boolean;
}

/** package-lock.json / npm-shrinkwrap.json, lockfile versions 1 to 3. */
export function parsePackageLock(text: string, declared: ReadonlySet<string>): LockedPackage[] {
  const lock = JSON.parse(text) as {
    packages?: Record<string, { name?: string; version?: string; link?: boolean }>;
    dependencies?: Record<string, V1Entry>;
  };
  if (lock.packages) {
    const locked: LockedPackage[] = [];
    for (const [key, entry] of Object.entries(lock.packages)) {
      const at = key.lastIndexOf('node_modules/');
      // "" is the root project, keys without node_modules/ are workspace members, links point to them.
      if (at < 0 || entry.link || !entry.version) continue;
      const name = entry.name ?? key.slice(at + 'node_modules/'.length);
      const nested = key.indexOf('node_modules/') !== at;
      locked.push({ name, version: entry.version, direct: !nested && declared.has(name) });
    }
    return locked;
  }
  return flattenV1(lock.dependencies ?? {}, declared, true);
}

interface V1Entry {
  version?: string;
  dependencies?: Record<string, V1Entry>;
}

function flattenV1(entries: Record<string, V1Entry>, declared: ReadonlySet<string>, top: boolean) {
  const locked: LockedPackage[] = [];
  for (const [name, entry] of Object.entries(entries)) {
    if (entry.version && !entry.version.startsWith('file:')) {
      locked.push({ name, version: entry.version, direct: top && declared.has(name) });
    }
    locked.push(...flattenV1(entry.dependencies ?? {}, declared, false));
  }
  return locked;
}
