/** One PEP 508 requirement, as written in requirements files and pyproject.toml. */
export interface Requirement {
  name: string;
  /** `1.2.3` for an exact pin, else the specifier (`>=1.0,<2`), the URL or `*`. */
  version: string;
  /** Why a fresh install could differ; absent for an exact pin. */
  unpinned?: string;
}

/** PEP 503 normalised name: `Flask_SQLAlchemy` → `flask-sqlalchemy`. */
export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

const NAME = /^([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(\[[^\]]*\])?\s*/;

/** Parses `name[extras] specifiers ; markers` or `name @ url`; throws on anything else. */
export function parseRequirement(text: string): Requirement {
  const withoutMarker = (text.split(';')[0] ?? '').trim();
  const match = NAME.exec(withoutMarker);
  if (!match) throw new Error(`"${text}" is not a requirement`);
  const name = normalizeName(match[1] as string);
  const rest = withoutMarker.slice(match[0].length).trim();
  if (rest.startsWith('@')) return fromUrl(name, rest.slice(1).trim());
  const spec = rest.replace(/^\(|\)$/g, '').replace(/\s+/g, '');
  if (spec === '') return { name, version: '*', unpinned: 'no version given' };
  if (!/^(===|==|~=|!=|<=|>=|<|>)/.test(spec)) throw new Error(`"${text}" has an invalid version specifier`);
  const exact = /^===?([^,*]+)$/.exec(spec);
  if (exact) return { name, version: exact[1] as string };
  return { name, version: spec, unpinned: 'a version range' };
}

/** A VCS or archive URL pins only when it names a commit (or a fixed archive). */
export function fromUrl(name: string, url: string): Requirement {
  if (!/^(git|hg|svn|bzr)\+/.test(url)) return { name, version: url };
  const ref = /@([^@#/]+)(?:#.*)?$/.exec(url)?.[1];
  if (ref && /^[0-9a-f]{40}$/.test(ref)) return { name, version: url };
  return { name, version: url, unpinned: ref ? `the branch or tag "${ref}"` : 'a VCS default branch' };
}
