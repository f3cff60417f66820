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
  // `slash3: npm:slash@3.0.0`: the package is slash, installed under the name slash3.
  const aliases = new Map<string, string>();
  for (const importer of Object.values(importers)) {
    for (const field of ['dependencies', 'devDependencies', 'optionalDependencies']) {
      for (const [name, value] of Object.entries(importer[field] ?? {})) {
        // Peer suffixes (`(typescript@5.9.3)`) go first: their `@` is not an alias's.
        const version = (typeof value === 'string' ? value : value.version)
          .replace(/^\//, '')
          .replace(/\(.*$/, '');
        if (/^(link|file|workspace):/.test(version)) continue;
        const at = version.lastIndexOf('@');
        if (at > 0 && !v5) {
          // An alias: the version names the real package (`slash@3.0.0`).
          const key = `${version.slice(0, at)}@${cleanPnpmVersion(version.slice(at + 1), v5)}`;
          direct.add(key);
          aliases.set(key, name);
        } else direct.add(`${name}@${cleanPnpmVersion(version, v5)}`);
      }
    }
  }
  const locked = new Map<string, LockedPackage>();
  for (const key of Object.keys(lock.packages ?? {})) {
    const id = key.replace(/^\//, '');
    // v6+ keys are `name@version(peer@x)`; the version may hold `/` and `_` (`file:a/b_c`).
    const bare = v5 ? id : id.replace(/\(.*$/, '');
    const at = v5 ? bare.lastIndexOf('/') : bare.indexOf('@', 1);
    if (at <= 0) continue;
    const name = bare.slice(0, at);
    const version = cleanPnpmVersion(bare.slice(at + 1), v5);
    const alias = aliases.get(`${name}@${version}`);
    locked.set(`${name}@${version}`, {
      name: alias ? `${alias} → ${name}` : name,
      version,
      direct: direct.has(`${name}@${version}`),
    });
  }
  return [...locked.values()];
}

/**
 * The version without its peer suffix: `1.2.3(react@18.2.0)` (v6+), `1.2.3_react@18.2.0` (v5
 * only: in v6+ an `_` belongs to the version, as in `file:packages/a_b`).
 */
function cleanPnpmVersion(version: string, v5: boolean): string {
  const withoutPeers = version.replace(/\(.*$/, '');
  return v5 ? withoutPeers.replace(/_.*$/, '') : withoutPeers;
}
