import { parseSyml } from '@yarnpkg/parsers';
import { type ParseError, parse as parseJsonc, printParseErrorCode } from 'jsonc-parser';
import { parse as parseYaml } from 'yaml';

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

/** yarn.lock, classic (v1) and Berry: each key lists the descriptors (`name@range`) it satisfies. */
export function parseYarnLock(text: string, declared: ReadonlyMap<string, string>): LockedPackage[] {
  const lock = parseSyml(text) as Record<string, { version?: string }>;
  // Classic lockfiles come back with one key per range, so one package can appear several times.
  const locked = new Map<string, LockedPackage>();
  for (const [key, entry] of Object.entries(lock)) {
    if (key === '__metadata' || !entry.version) continue;
    const descriptors = key.split(',').map((d) => d.trim());
    const first = descriptors[0] as string;
    const name = first.slice(0, first.indexOf('@', 1));
    const ranges = descriptors.map((d) => d.slice(d.indexOf('@', 1) + 1).replace(/^npm:/, ''));
    if (ranges.some((range) => range.startsWith('workspace:')) || entry.version.includes('use.local'))
      continue;
    const wanted = declared.get(name);
    const direct = wanted !== undefined && ranges.includes(wanted.replace(/^npm:/, ''));
    const id = `${name}@${entry.version}`;
    locked.set(id, { name, version: entry.version, direct: direct || locked.get(id)?.direct === true });
  }
  return [...locked.values()];
}

/** bun.lock (text, JSON with trailing commas): `packages` maps an install path to `[name@version, ...]`. */
export function parseBunLock(text: string, declared: ReadonlySet<string>): LockedPackage[] {
  const errors: ParseError[] = [];
  const lock = parseJsonc(text, errors, { allowTrailingComma: true }) as {
    packages?: Record<string, unknown[]>;
  };
  const error = errors[0];
  if (error) throw new Error(`${printParseErrorCode(error.error)} at position ${error.offset}`);
  const locked: LockedPackage[] = [];
  for (const [path, entry] of Object.entries(lock.packages ?? {})) {
    const id = String(entry[0] ?? '');
    const at = id.lastIndexOf('@');
    if (at <= 0) continue;
    const name = id.slice(0, at);
    const version = id.slice(at + 1);
    if (/^(workspace|link|file):/.test(version)) continue;
    locked.push({ name, version, direct: path === name && declared.has(name) });
  }
  return locked;
}

/** Parses any text lockfile by its file name. */
export function parseLockfileByName(
  fileName: string,
  text: string,
  declared: ReadonlyMap<string, string>,
): LockedPackage[] {
  const names = new Set(declared.keys());
  switch (fileName) {
    case 'pnpm-lock.yaml':
      return parsePnpmLock(text);
    case 'yarn.lock':
      return parseYarnLock(text, declared);
    case 'bun.lock':
      return parseBunLock(text, names);
    default:
      return parsePackageLock(text, names);
  }
}
