import { posix } from 'node:path';
import {
  type Dependency,
  type DependencyReport,
  type ManifestFiles,
  notInLockfile,
} from '@devops-butler/core';
// Types only: the lockfile parsers (and smol-toml) load lazily, when such a file is in the build.
import type { LockedPackage } from './python-lockfiles.js';
import { parseRequirementsFile } from './requirements-file.js';

const PYPROJECT_LOCKS = ['poetry.lock', 'uv.lock', 'pdm.lock'] as const;

/**
 * Dependencies included by every Python project the build reads: requirements files (following
 * `-r` includes), pyproject.toml with poetry.lock / uv.lock / pdm.lock, Pipfile with Pipfile.lock.
 */
export async function resolvePipDependencies(files: ManifestFiles): Promise<DependencyReport> {
  const dependencies: Dependency[] = [];
  const notes: string[] = [];
  const visited = new Set<string>();
  // name → version a constraints file pins it to: applied to requirements that leave it open.
  const pins = new Map<string, string>();
  const readConstraints = (path: string, from: string): void => {
    if (!files.has(path)) {
      notes.push(`${from} is constrained by ${path}, which the build does not use: its pins are not applied`);
      return;
    }
    for (const pinned of files.parse(path, parseRequirementsFile)?.requirements ?? []) {
      if (pinned.unpinned === undefined) pins.set(pinned.name, pinned.version);
    }
  };
  const readRequirements = (path: string, from?: string): void => {
    if (visited.has(path)) return;
    visited.add(path);
    if (!files.has(path)) {
      notes.push(`${from} includes ${path}, which the build does not use: its requirements are not listed`);
      return;
    }
    const parsed = files.parse(path, parseRequirementsFile);
    if (!parsed) return;
    for (const requirement of parsed.requirements) dependencies.push({ ...requirement, direct: true });
    for (const include of parsed.includes) readRequirements(posix.join(posix.dirname(path), include), path);
    for (const constraint of parsed.constraints)
      readConstraints(posix.join(posix.dirname(path), constraint), path);
  };

  for (const path of files.found) {
    const name = posix.basename(path);
    // Requirement files at any depth, also in a `requirements/` folder (base.txt, prod.txt, dev.in);
    // a constraints file pins versions but installs nothing by itself: detected, not listed.
    if (/^requirements.*\.(txt|in)$/.test(name) || /(^|\/)requirements\/[^/]+\.(txt|in)$/.test(path)) {
      readRequirements(path);
    } else if (name === 'pyproject.toml' || name === 'Pipfile') {
      // The TOML parser loads only for projects that have TOML: every butler run pays for imports.
      const { declaredPythonNames } = await import('./python-lockfiles.js');
      const lockNames = name === 'Pipfile' ? ['Pipfile.lock'] : PYPROJECT_LOCKS;
      const lockfile = lockNames.map((lock) => files.sibling(path, lock)).find((lock) => files.has(lock));
      const declared = files.parse(path, (text) => declaredPythonNames(text, name));
      if (declared) dependencies.push(...(await resolveProject(files, declared, lockfile)));
    } else if (name === 'Pipfile.lock' && !files.has(files.sibling(path, 'Pipfile'))) {
      const { parsePipfileLock } = await import('./python-lockfiles.js');
      for (const locked of files.parse(path, parsePipfileLock) ?? [])
        dependencies.push({ ...locked, direct: true });
    }
  }
  const constrained = dependencies.map((d) => {
    const pin = d.unpinned === undefined ? undefined : pins.get(d.name);
    return pin === undefined ? d : { name: d.name, version: pin, direct: d.direct };
  });
  return { dependencies: constrained, notes };
}

async function resolveProject(
  files: ManifestFiles,
  declared: ReadonlyMap<string, string>,
  lockfile: string | undefined,
): Promise<Dependency[]> {
  if (!lockfile) {
    return [...declared].map(([name, version]) => ({ name, version, direct: true, unpinned: 'no lockfile' }));
  }
  const { parsePipfileLock, parseTomlLock } = await import('./python-lockfiles.js');
  const parser = lockfile.endsWith('Pipfile.lock') ? parsePipfileLock : parseTomlLock;
  const locked: LockedPackage[] | undefined = files.parse(lockfile, parser);
  if (!locked) return [];
  return [
    ...locked.map((p) => ({ ...p, direct: declared.has(p.name) })),
    ...notInLockfile(declared, locked, lockfile),
  ];
}
