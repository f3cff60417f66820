import type { InputManifest } from './input-manifest.js';

export interface ValueChange {
  name: string;
  /** Absent when added. */
  from?: string;
  /** Absent when removed. */
  to?: string;
}

/** What differs between two builds' inputs: the answer to "why was this rebuilt". */
export interface InputDiff {
  same: boolean;
  files: { added: string[]; removed: string[]; changed: { path: string; what: string }[] };
  /** Dockerfile lines only in the old one (removed) and only in the new one (added). */
  dockerfile: { removed: string[]; added: string[] };
  buildArgs: ValueChange[];
  /** target and platform. */
  settings: ValueChange[];
  /** Base image reference → identity. */
  images: ValueChange[];
  /** `npm: express` → version(s). */
  dependencies: (ValueChange & { ecosystem: string })[];
  /** Plugin contributions that changed without a dependency change to explain them. */
  plugins: string[];
}

/** Compares two input manifests, old then new. */
export function diffManifests(before: InputManifest, after: InputManifest): InputDiff {
  const dependencies = diffDependencies(before, after);
  const explained = new Set(dependencies.map((d) => `butler:${d.ecosystem}`));
  const diff: InputDiff = {
    same: before.digest === after.digest,
    files: diffFiles(before.files, after.files),
    dockerfile: diffLines(before.dockerfile, after.dockerfile),
    buildArgs: diffRecords(before.buildArgs, after.buildArgs),
    settings: diffRecords(
      { target: before.target, platform: before.platform },
      { target: after.target, platform: after.platform },
    ).filter((c) => (c.from ?? '') !== (c.to ?? '')),
    images: diffRecords(before.images, after.images),
    dependencies,
    plugins: diffRecords(before.contributions, after.contributions)
      .map((c) => c.name)
      .filter((plugin) => !explained.has(plugin)),
  };
  return diff;
}

function diffFiles(before: Record<string, string>, after: Record<string, string>): InputDiff['files'] {
  const added: string[] = [];
  const removed: string[] = [];
  const changed: { path: string; what: string }[] = [];
  for (const path of Object.keys(after).sort()) {
    const old = before[path];
    const now = after[path] as string;
    if (old === undefined) added.push(path);
    else if (old !== now) changed.push({ path, what: describeChange(old, now) });
  }
  for (const path of Object.keys(before).sort()) if (!(path in after)) removed.push(path);
  return { added, removed, changed };
}

/** `file x <sha>` / `symlink <target>` / `dir` entries: say which part changed. */
function describeChange(before: string, after: string): string {
  const [typeBefore, modeBefore, digestBefore] = before.split(' ');
  const [typeAfter, modeAfter, digestAfter] = after.split(' ');
  if (typeBefore !== typeAfter) return `${typeBefore} → ${typeAfter}`;
  if (typeBefore === 'symlink') return `link target ${before.slice(8)} → ${after.slice(8)}`;
  const what: string[] = [];
  if (digestBefore !== digestAfter) what.push('content');
  if (modeBefore !== modeAfter) what.push(modeAfter === 'x' ? 'now executable' : 'no longer executable');
  return what.join(', ');
}

function diffRecords(before: Record<string, string>, after: Record<string, string>): ValueChange[] {
  const names = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return names.flatMap((name) => {
    const from = before[name];
    const to = after[name];
    if (from === to) return [];
    return [{ name, ...(from === undefined ? {} : { from }), ...(to === undefined ? {} : { to }) }];
  });
}

function diffDependencies(before: InputManifest, after: InputManifest): InputDiff['dependencies'] {
  const ecosystems = [
    ...new Set([...Object.keys(before.dependencies), ...Object.keys(after.dependencies)]),
  ].sort();
  return ecosystems.flatMap((ecosystem) => {
    const versions = (manifest: InputManifest) => {
      const byName: Record<string, string> = {};
      for (const d of manifest.dependencies[ecosystem] ?? []) {
        byName[d.name] = byName[d.name] ? `${byName[d.name]}, ${d.version}` : d.version;
      }
      return byName;
    };
    return diffRecords(versions(before), versions(after)).map((change) => ({ ecosystem, ...change }));
  });
}

/** A line diff (longest common subsequence: Dockerfiles are short). */
export function diffLines(before: string, after: string): { removed: string[]; added: string[] } {
  if (before === after) return { removed: [], added: [] };
  const a = before.split('\n');
  const b = after.split('\n');
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      const row = lcs[i] as number[];
      row[j] =
        a[i] === b[j] ? (lcs[i + 1]?.[j + 1] ?? 0) + 1 : Math.max(lcs[i + 1]?.[j] ?? 0, row[j + 1] ?? 0);
    }
  }
  const removed: string[] = [];
  const added: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      i++;
      j++;
    } else if (j < b.length && (i === a.length || (lcs[i]?.[j + 1] ?? 0) >= (lcs[i + 1]?.[j] ?? 0))) {
      added.push(b[j++] as string);
    } else {
      removed.push(a[i++] as string);
    }
  }
  return { removed, added };
}
