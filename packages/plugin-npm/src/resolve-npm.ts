import { posix } from 'node:path';
import {
  type Dependency,
  type DependencyReport,
  type ManifestFiles,
  notInLockfile,
} from '@devops-butler/core';
import { lockfileParser } from './lockfiles.js';
import { isLocalRange, type PackageManifest, parsePackageJson, unpinnedReason } from './package-json.js';

/** Lockfiles in the order a folder's package manager is chosen when several sit side by side. */
export const NPM_LOCKFILES = [
  'npm-shrinkwrap.json',
  'package-lock.json',
  'pnpm-lock.yaml',
  'yarn.lock',
  'bun.lock',
  'bun.lockb',
] as const;

/**
 * Dependencies included by every npm project the build reads: a lockfile resolves the package.json
 * files in its folder and below (workspaces), a package.json no lockfile covers gives its ranges.
 */
export async function resolveNpmDependencies(files: ManifestFiles): Promise<DependencyReport> {
  const manifests = new Map<string, PackageManifest>();
  const lockfiles = new Map<string, string>();
  for (const path of files.found) {
    const dir = posix.dirname(path);
    const name = posix.basename(path);
    if (name === 'package.json') {
      const manifest = files.parse(path, parsePackageJson);
      if (manifest) manifests.set(dir, manifest);
    } else if (rank(name) < rank(posix.basename(lockfiles.get(dir) ?? 'none'))) {
      lockfiles.set(dir, path);
    }
  }

  const dependencies: Dependency[] = [];
  const notes: string[] = [];
  const covered = new Set<string>();
  for (const [dir, lockfile] of lockfiles) {
    const members = [...manifests].filter(([memberDir]) => isWithin(memberDir, dir));
    for (const [memberDir] of members) covered.add(memberDir);
    const declared = new Map<string, string>();
    for (const [, manifest] of members) {
      for (const [name, range] of manifest.declared) if (!isLocalRange(range)) declared.set(name, range);
    }
    const memberNames = new Set(members.flatMap(([, m]) => (m.name ? [m.name] : [])));
    if (lockfile.endsWith('bun.lockb')) {
      notes.push(
        `${lockfile} is binary: its bytes are hashed, dependencies are listed with package.json ranges`,
      );
      for (const [name, range] of declared) dependencies.push({ name, version: range, direct: true });
      continue;
    }
    const locked = files.parse(lockfile, await lockfileParser(posix.basename(lockfile), declared));
    if (!locked) continue;
    const included = locked.filter((p) => !memberNames.has(p.name));
    dependencies.push(...included);
    dependencies.push(...notInLockfile(declared, included, lockfile));
  }
  for (const [dir, manifest] of manifests) {
    if (covered.has(dir)) continue;
    for (const [name, range] of manifest.declared) {
      if (!isLocalRange(range)) {
        dependencies.push({ name, version: range, direct: true, unpinned: unpinnedReason(range) });
      }
    }
  }
  return { dependencies, notes };
}

function rank(lockfile: string): number {
  const index = (NPM_LOCKFILES as readonly string[]).indexOf(lockfile);
  return index < 0 ? NPM_LOCKFILES.length : index;
}

function isWithin(path: string, dir: string): boolean {
  return dir === '.' || path === dir || path.startsWith(`${dir}/`);
}
