import { parse as parseYaml } from 'yaml';
import type { LockedPackage } from './package-lock.js';

type PnpmDeps = Record<string, string | { specifier?: string; version: string }>;
interface PnpmLock {
  lockfileVersion?: string | number;
  importers?: Record<string, Record<string, PnpmDeps>>;
  packages?: Record<string, unknown>;
  dependencies?: PnpmDeps;
  devDependencies?: PnpmDeps;
  optionalDependencies?: PnpmDeps;
}

/** pnpm-lock.yaml, lockfile versions 5 to 9 (importers give the direct versions). */
export function parsePnpmLock(text: string): LockedPackage[] {
  const lock = (parseYaml(text) ?? {}) as PnpmLock;
  const v5 = String(lock.lockfileVersion ?? '').startsWith('5');
  const importers = lock.importers ?? { '.': lock as Record<string, PnpmDeps> };
  const direct = new Set<string>();
  for (const importer of Object.values(importers)) {
    for (const field of ['dependencies', 'devDependencies', 'optionalDependencies']) {
      for (const [name, value] of Object.entries(importer[field] ?? {})) {
        const version = typeof value === 'string' ? value : value.version;
        if (!/^(link|file|workspace):/.test(version)) direct.add(`${name}@${cleanPnpmVersion(version)}`);
      }
    }
  }
  const locked = new Map<string, LockedPackage>();
  for (const key of Object.keys(lock.packages ?? {})) {
    const id = key.replace(/^\//, '').replace(/\(.*$/, '');
    const at = v5 ? id.lastIndexOf('/') : id.lastIndexOf('@');
    if (at <= 0) continue;
    const name = id.slice(0, at);
    const version = cleanPnpmVersion(id.slice(at + 1));
    locked.set(`${name}@${version}`, { name, version, direct: direct.has(`${name}@${version}`) });
  }
  return [...locked.values()];
}

/** `1.2.3(react@18.2.0)` (v6+) and `1.2.3_react@18.2.0` (v5) carry peer suffixes that are not the version. */
function cleanPnpmVersion(version: string): string {
  return version.replace(/\(.*$/, '').replace(/_.*$/, '');
}
