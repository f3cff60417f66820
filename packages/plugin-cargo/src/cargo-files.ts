import { parse as parseToml } from 'smol-toml';

type Table = Record<string, unknown>;

function table(value: unknown): Table {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Table) : {};
}

const SECTIONS = ['dependencies', 'dev-dependencies', 'build-dependencies'] as const;

/** The registry and git dependencies a Cargo.toml declares (renames resolved), by crate name → requirement. */
export function parseCargoToml(text: string): Map<string, string> {
  const toml = parseToml(text) as Table;
  const declared = new Map<string, string>();
  const workspaceDeps = table(table(toml.workspace).dependencies);
  const add = (deps: unknown) => {
    for (const [key, spec] of Object.entries(table(deps))) {
      if (typeof spec === 'string') {
        declared.set(key, spec);
        continue;
      }
      let entry = table(spec);
      if (entry.workspace === true) entry = { ...table(workspaceDeps[key]), ...entry };
      if (typeof workspaceDeps[key] === 'string' && entry.workspace === true)
        entry.version = workspaceDeps[key];
      if (entry.path !== undefined) continue; // a crate inside the repository: its files are hashed
      const name = typeof entry.package === 'string' ? entry.package : key;
      const git = typeof entry.git === 'string' ? entry.git : undefined;
      const ref = entry.rev ?? entry.tag ?? entry.branch;
      declared.set(name, git ? `${git}${ref ? `#${String(ref)}` : ''}` : String(entry.version ?? '*'));
    }
  };
  for (const section of SECTIONS) add(toml[section]);
  for (const target of Object.values(table(toml.target))) {
    for (const section of SECTIONS) add(table(target)[section]);
  }
  add(workspaceDeps);
  return declared;
}

/** Cargo.lock (v1 to v4): registry and git packages; workspace and path crates (no source) left out. */
export function parseCargoLock(text: string): { name: string; version: string }[] {
  const lock = parseToml(text) as { package?: { name?: string; version?: string; source?: string }[] };
  return (lock.package ?? []).flatMap((p) =>
    p.name && p.version && p.source ? [{ name: p.name, version: p.version }] : [],
  );
}
