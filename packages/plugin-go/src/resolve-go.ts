import { posix } from 'node:path';
import type { Dependency, DependencyReport, ManifestFiles } from '@devops-butler/core';
import { type GoReplacement, parseGoMod, parseGoSum, parseGoWork } from './go-modules.js';

/**
 * Dependencies included by every Go module the build reads. go.mod fixes every version (minimal
 * version selection), `// indirect` marks transitive ones, replacements are applied, go.work members
 * are not dependencies. Without go.sum nothing verifies what is downloaded: those count as unpinned.
 */
export function resolveGoDependencies(files: ManifestFiles): DependencyReport {
  const members = new Set<string>();
  const workReplaces: GoReplacement[] = [];
  for (const path of files.found.filter((p) => posix.basename(p) === 'go.work')) {
    const work = files.parse(path, parseGoWork);
    workReplaces.push(...(work?.replaces ?? []));
    for (const use of work?.uses ?? []) {
      const modFile = posix.join(posix.dirname(path), use, 'go.mod');
      const module = files.has(modFile) ? files.parse(modFile, parseGoMod)?.module : undefined;
      if (module) members.add(module);
    }
  }

  const dependencies: Dependency[] = [];
  for (const path of files.found.filter((p) => posix.basename(p) === 'go.mod')) {
    const mod = files.parse(path, parseGoMod);
    if (!mod) continue;
    const sumFile = files.sibling(path, 'go.sum');
    if (files.has(sumFile)) files.parse(sumFile, parseGoSum); // only to report a malformed go.sum
    const replaces = [...workReplaces, ...mod.replaces];
    for (const requirement of mod.requires) {
      if (members.has(requirement.path)) continue;
      const replacement = replaces.find(
        (r) => r.path === requirement.path && (r.version === undefined || r.version === requirement.version),
      );
      const version = replacement ? replacedVersion(replacement) : requirement.version;
      const local = replacement !== undefined && replacement.newVersion === undefined;
      dependencies.push({
        name: requirement.path,
        version,
        direct: !requirement.indirect,
        ...(files.has(sumFile) || local ? {} : { unpinned: `no go.sum beside ${path}` }),
      });
    }
  }
  return { dependencies };
}

function replacedVersion(replacement: GoReplacement): string {
  if (replacement.newVersion === undefined) return `${replacement.newPath} (local)`;
  return replacement.newPath === replacement.path
    ? replacement.newVersion
    : `${replacement.newPath} ${replacement.newVersion}`;
}
