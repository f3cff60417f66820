import { posix } from 'node:path';
import {
  type Dependency,
  type DependencyReport,
  type ManifestFiles,
  notInLockfile,
} from '@devops-butler/core';

// Platform requirements: PHP itself and its extensions come from the base image, not from composer.
const PLATFORM =
  /^(php(-64bit|-ipv6|-zts|-debug)?|hhvm|ext-.+|lib-.+|composer(-plugin|-runtime)?-api|composer)$/i;

/** composer.json: `require` and `require-dev`, platform packages left out. */
export function parseComposerJson(text: string): Map<string, string> {
  const json = JSON.parse(text) as Record<string, Record<string, string> | undefined>;
  const declared = new Map<string, string>();
  for (const field of ['require', 'require-dev']) {
    for (const [name, constraint] of Object.entries(json[field] ?? {})) {
      if (!PLATFORM.test(name)) declared.set(name.toLowerCase(), String(constraint));
    }
  }
  return declared;
}

/** composer.lock: `packages` and `packages-dev` with their resolved versions. */
export function parseComposerLock(text: string): { name: string; version: string }[] {
  const lock = JSON.parse(text) as Record<string, { name: string; version: string }[] | undefined>;
  return [...(lock.packages ?? []), ...(lock['packages-dev'] ?? [])].map((p) => ({
    name: p.name.toLowerCase(),
    version: p.version,
  }));
}

/** Dependencies included by every Composer project the build reads. */
export function resolveComposerDependencies(files: ManifestFiles): DependencyReport {
  const dependencies: Dependency[] = [];
  for (const path of files.found.filter((p) => posix.basename(p) === 'composer.json')) {
    const declared = files.parse(path, parseComposerJson) ?? new Map<string, string>();
    const lockfile = files.sibling(path, 'composer.lock');
    if (!files.has(lockfile)) {
      for (const [name, version] of declared) {
        dependencies.push({ name, version, direct: true, unpinned: 'no composer.lock' });
      }
      continue;
    }
    const locked = files.parse(lockfile, parseComposerLock);
    if (!locked) continue;
    dependencies.push(...locked.map((p) => ({ ...p, direct: declared.has(p.name) })));
    dependencies.push(...notInLockfile(declared, locked, lockfile));
  }
  return { dependencies };
}
