import { posix } from 'node:path';
import {
  type Dependency,
  type DependencyReport,
  type ManifestFiles,
  notInLockfile,
} from '@devops-butler/core';
import { parseCargoLock, parseCargoToml } from './cargo-files.js';

/**
 * Dependencies included by every Cargo project the build reads: a Cargo.lock resolves the
 * Cargo.toml files in its folder and below (a workspace); a Cargo.toml no lockfile covers gives
 * its requirements, unpinned.
 */
export function resolveCargoDependencies(files: ManifestFiles): DependencyReport {
  const manifests = new Map<string, Map<string, string>>();
  for (const path of files.found.filter((p) => posix.basename(p) === 'Cargo.toml')) {
    const declared = files.parse(path, parseCargoToml);
    if (declared) manifests.set(posix.dirname(path), declared);
  }
  const dependencies: Dependency[] = [];
  const covered = new Set<string>();
  for (const lockfile of files.found.filter((p) => posix.basename(p) === 'Cargo.lock')) {
    const dir = posix.dirname(lockfile);
    const declared = new Map<string, string>();
    for (const [memberDir, deps] of manifests) {
      if (dir !== '.' && memberDir !== dir && !memberDir.startsWith(`${dir}/`)) continue;
      covered.add(memberDir);
      for (const [name, version] of deps) declared.set(name, version);
    }
    const locked = files.parse(lockfile, parseCargoLock);
    if (!locked) continue;
    dependencies.push(...locked.map((p) => ({ ...p, direct: declared.has(p.name) })));
    dependencies.push(...notInLockfile(declared, locked, lockfile));
  }
  for (const [dir, declared] of manifests) {
    if (covered.has(dir)) continue;
    for (const [name, version] of declared) {
      dependencies.push({ name, version, direct: true, unpinned: 'no Cargo.lock' });
    }
  }
  return { dependencies };
}
