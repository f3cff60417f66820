import { readFileSync, type Stats, statSync } from 'node:fs';
import { BUTLER_VERSION } from '../image/labels.js';
import { fileListDigest, moduleIdentity } from '../state/memory-keys.js';
import { stateFileFor, stateSubdir, writeStateFile } from '../state/state-dir.js';

/**
 * What the manifest plugins found in a context's file list, remembered per context folder while
 * the list is the same. Finding is a pure function of the list and the patterns, but on a 20,000
 * file hit it is the manifest plugins' whole cost (an index of every file name, pip's globs over
 * every distinct name, the heavy-folder check: about 15 ms, run cold by the JIT), while the list
 * itself comes back unchanged from the remembered walk. The key is the list's own digest, so a
 * file added, removed or renamed finds afresh; this module's build keys it too, so a fixed matcher
 * never answers from an older one's memory.
 */
const FORMAT = 'devops-butler/manifest-finds/v1';

interface SavedFinds {
  format: string;
  /** The finder's build (this module's file and its mtime, with Butler's version). */
  build: string;
  list: string;
  finds: Record<string, string[]>;
}

/** This module's build, stated once per process: every plugin asks, and the running code is fixed. */
let build: string | undefined;
const finderBuild = (): string => {
  build ??= `${moduleIdentity(import.meta.url)}:${BUTLER_VERSION}`;
  return build;
};

/**
 * `find(files)` for `patterns`, from the state folder's memory when the same context folder had
 * the same file list; found afresh (and remembered) otherwise. Without a state folder, found.
 */
export function findRemembered(
  stateDir: string | undefined,
  contextDir: string,
  files: readonly string[],
  patterns: readonly string[],
  find: (files: readonly string[]) => string[],
): string[] {
  if (!stateDir) return find(files);
  const file = stateFileFor(stateDir, 'manifest-finds', contextDir, '.json');
  const list = fileListDigest(files);
  const key = JSON.stringify(patterns);
  const build = finderBuild();
  const saved = readSaved(file, build);
  const current = saved?.list === list ? saved : undefined;
  const remembered = current?.finds[key];
  if (remembered) return remembered;
  const found = find(files);
  const next: SavedFinds = {
    format: FORMAT,
    build,
    list,
    finds: { ...current?.finds, [key]: found },
  };
  try {
    stateSubdir(stateDir, 'manifest-finds');
    writeStateFile(file, JSON.stringify(next)); // names of a private project's files
  } catch {
    // a memory that cannot be kept only costs the next run the finding
  }
  return found;
}

/**
 * The file as this process last read it, while its metadata is the same: every manifest plugin
 * asks in turn, and a hit read and parsed the same file once per plugin (seven times).
 */
const lastRead = new Map<string, { stamp: string; saved: SavedFinds | undefined }>();

/** The saved finds, or undefined when missing, torn, foreign or from another build of Butler. */
function readSaved(file: string, build: string): SavedFinds | undefined {
  let stats: Stats | undefined;
  try {
    stats = statSync(file, { throwIfNoEntry: false });
  } catch {
    return undefined;
  }
  if (!stats) return undefined;
  const stamp = `${stats.ino}:${stats.size}:${stats.mtimeMs}:${stats.ctimeMs}:${build}`;
  const held = lastRead.get(file);
  if (held?.stamp === stamp) return held.saved;
  const saved = parseSaved(file, build);
  lastRead.set(file, { stamp, saved });
  return saved;
}

function parseSaved(file: string, build: string): SavedFinds | undefined {
  try {
    const saved = JSON.parse(readFileSync(file, 'utf8')) as SavedFinds;
    if (saved.format !== FORMAT || saved.build !== build || typeof saved.list !== 'string') return undefined;
    const finds = Object.values(saved.finds ?? {});
    if (!finds.every((f) => Array.isArray(f) && f.every((path) => typeof path === 'string')))
      return undefined;
    return saved;
  } catch {
    return undefined;
  }
}
