import { parseSyml } from '@yarnpkg/parsers';
import type { LockedPackage } from './package-lock.js';

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
