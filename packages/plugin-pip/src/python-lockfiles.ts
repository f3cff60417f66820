import { parse as parseToml } from 'smol-toml';
import { normalizeName, parseRequirement } from './requirement.js';

/** A package a lockfile resolves. */
export interface LockedPackage {
  name: string;
  version: string;
}

interface TomlLock {
  package?: { name?: string; version?: string; source?: Record<string, unknown> }[];
}

/** poetry.lock, uv.lock and pdm.lock share `[[package]] name = … version = …`. */
export function parseTomlLock(text: string): LockedPackage[] {
  const lock = parseToml(text) as TomlLock;
  return (lock.package ?? []).flatMap((entry) => {
    // uv lists the project itself (and path dependencies) with a local source.
    const source = entry.source ?? {};
    if ('editable' in source || 'virtual' in source || 'directory' in source) return [];
    if (!entry.name || !entry.version) return [];
    return [{ name: normalizeName(entry.name), version: entry.version }];
  });
}

/** Pipfile.lock: `default` and `develop` map names to `{ version: "==1.2.3" }` or a VCS ref. */
export function parsePipfileLock(text: string): LockedPackage[] {
  const lock = JSON.parse(text) as Record<string, Record<string, { version?: string; ref?: string }>>;
  return ['default', 'develop'].flatMap((section) =>
    Object.entries(lock[section] ?? {}).map(([name, entry]) => ({
      name: normalizeName(name),
      version: entry.version?.replace(/^==/, '') ?? entry.ref ?? '*',
    })),
  );
}

type Table = Record<string, unknown>;

function table(value: unknown): Table {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Table) : {};
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** The names (→ declared versions) a pyproject.toml (PEP 621, PEP 735 groups, Poetry) or a Pipfile declares. */
export function declaredPythonNames(text: string, file: 'pyproject.toml' | 'Pipfile'): Map<string, string> {
  const toml = parseToml(text) as Table;
  const declared = new Map<string, string>();
  const addRequirements = (specs: unknown) => {
    for (const spec of list(specs)) {
      if (typeof spec !== 'string') continue; // PEP 735 include-group tables
      const requirement = parseRequirement(spec);
      declared.set(requirement.name, requirement.version);
    }
  };
  const addTable = (value: unknown) => {
    for (const [name, spec] of Object.entries(table(value))) {
      if (name.toLowerCase() === 'python') continue;
      const version = typeof spec === 'string' ? spec : String(table(spec).version ?? '*');
      declared.set(normalizeName(name), version);
    }
  };
  if (file === 'Pipfile') {
    addTable(toml.packages);
    addTable(toml['dev-packages']);
    return declared;
  }
  const project = table(toml.project);
  addRequirements(project.dependencies);
  for (const group of Object.values(table(project['optional-dependencies']))) addRequirements(group);
  for (const group of Object.values(table(toml['dependency-groups']))) addRequirements(group);
  const poetry = table(table(toml.tool).poetry);
  addTable(poetry.dependencies);
  addTable(poetry['dev-dependencies']);
  for (const group of Object.values(table(poetry.group))) addTable(table(group).dependencies);
  return declared;
}
