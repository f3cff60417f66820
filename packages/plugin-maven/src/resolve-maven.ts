import { posix } from 'node:path';
import type { Dependency, DependencyReport, ManifestFiles } from '@devops-butler/core';
import { type Pom, type PomDependency, parsePom } from './pom.js';

/**
 * Dependencies included by every Maven project the build reads. A parent POM in the build is
 * merged in (properties, dependencyManagement); reactor modules are not dependencies of each other;
 * a parent outside the build (Spring Boot's, say) pins the versions it manages through its own version.
 * Maven has no lockfile: every declared artifact is listed as direct.
 */
export function resolveMavenDependencies(files: ManifestFiles): DependencyReport {
  const poms = new Map<string, Pom>();
  for (const path of files.found) {
    const pom = files.parse(path, parsePom);
    if (pom) poms.set(path, pom);
  }
  const reactor = new Set([...poms.values()].map((pom) => `${groupOf(pom)}:${pom.artifactId}`));
  const dependencies: Dependency[] = [];

  for (const [path, pom] of poms) {
    const chain = parentChain(path, pom, poms);
    // The chain stops at the first parent the build does not have: that one is external.
    const external = (chain.at(-1) as Pom).parent;
    const properties: Record<string, string> = {};
    for (const member of [...chain].reverse()) Object.assign(properties, member.properties);
    properties['project.version'] = pom.version ?? pom.parent?.version ?? '';
    properties['project.groupId'] = groupOf(pom);
    properties['project.parent.version'] = pom.parent?.version ?? '';
    const resolve = (value: string | undefined) =>
      value === undefined ? undefined : interpolate(value, properties);
    const managed = new Map<string, string>();
    for (const member of [...chain].reverse()) {
      for (const d of member.managed) {
        const version = resolve(d.version);
        if (version !== undefined) managed.set(coordinates(d), version);
        // An imported BOM is itself a dependency: its version decides the managed ones.
        if (d.scope === 'import' && version !== undefined) dependencies.push(toDependency(d, version));
      }
    }
    if (external) dependencies.push(toDependency(external, external.version ?? '*'));
    for (const d of pom.dependencies) {
      if (reactor.has(coordinates(d))) continue;
      const version = resolve(d.version) ?? managed.get(coordinates(d));
      if (version !== undefined) dependencies.push(toDependency(d, version));
      else if (external) {
        const by = `managed by ${external.artifactId} ${external.version ?? ''}`.trim();
        dependencies.push({
          name: coordinates(d),
          version: by,
          direct: true,
          ...unpinnedVersion(external.version ?? ''),
        });
      } else dependencies.push({ name: coordinates(d), version: '*', direct: true, unpinned: 'no version' });
    }
  }
  return { dependencies };
}

function toDependency(d: PomDependency, version: string): Dependency {
  return { name: coordinates(d), version, direct: true, ...unpinnedVersion(version) };
}

/** SNAPSHOTs, ranges, LATEST/RELEASE and unresolved properties can change between two builds. */
export function unpinnedVersion(version: string): { unpinned?: string } {
  if (version.includes('${')) return { unpinned: 'an undefined property' };
  if (/SNAPSHOT$/.test(version)) return { unpinned: 'a SNAPSHOT' };
  if (/^[[(]/.test(version) || version.includes(',')) return { unpinned: 'a version range' };
  if (version === 'LATEST' || version === 'RELEASE') return { unpinned: `the ${version} marker` };
  return {};
}

function coordinates(d: { groupId?: string; artifactId: string }): string {
  return `${d.groupId ?? ''}:${d.artifactId}`;
}

function groupOf(pom: Pom): string {
  return pom.groupId ?? pom.parent?.groupId ?? '';
}

/** The POM, then its parents found in the build (by relativePath, default ../pom.xml). */
function parentChain(path: string, pom: Pom, poms: ReadonlyMap<string, Pom>): Pom[] {
  const chain = [pom];
  let current = path;
  let currentPom = pom;
  while (chain.length < 20) {
    const next = parentPath(currentPom, current, poms);
    if (!next) break;
    current = next;
    currentPom = poms.get(next) as Pom;
    chain.push(currentPom);
  }
  return chain;
}

function parentPath(pom: Pom, path: string, poms: ReadonlyMap<string, Pom>): string | undefined {
  if (!pom.parent) return undefined;
  let relative = pom.parent.relativePath ?? '../pom.xml';
  if (!relative.endsWith('.xml')) relative = posix.join(relative, 'pom.xml');
  const candidate = posix.normalize(posix.join(posix.dirname(path), relative));
  const parent = poms.get(candidate);
  return parent && parent.artifactId === pom.parent.artifactId ? candidate : undefined;
}

/** `${name}` references, resolved repeatedly (properties may refer to properties). */
function interpolate(value: string, properties: Readonly<Record<string, string>>): string {
  let result = value;
  for (let depth = 0; depth < 10 && result.includes('${'); depth++) {
    const next = result.replace(/\$\{([^}]+)\}/g, (whole, name: string) => properties[name] ?? whole);
    if (next === result) break;
    result = next;
  }
  return result;
}
