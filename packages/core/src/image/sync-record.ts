import { readFile } from 'node:fs/promises';
import { nodeCrypto } from '../hashing/sha256.js';
import { withTargetLock } from '../state/lock.js';
import { stateFileFor, stateSubdir, writeStateFile } from '../state/state-dir.js';

/** A file a sync announces: its path, the stat fields BuildKit compares, and its hashed digest. */
export interface SentFile {
  path: string;
  stat: string;
  sha256: string;
}

interface SyncRecord {
  version: number;
  key: string;
  /** Every [path, stat, sha256] ever announced under the key. */
  sent: [path: string, stat: string, sha256: string][];
}

const VERSION = 1;
/** Past this many entries beyond the folder's own size, the record starts over under a new key. */
const SLACK = 10_000;

/**
 * The session's shared key for a context folder. BuildKit keeps each folder's last synced copy
 * under it and asks again only for files whose stat (mode, size, mtime) differs — it never reads
 * the bytes to compare. A file rewritten with its old size and mtime (a restored archive, `touch
 * -r`) would keep its old bytes in the build while the hash says new ones: no false reuse means no
 * such key. So the record keeps every (path, stat) → digest ever announced under the key; when a
 * file now shows a known stat with another digest, or a file's digest is unknown, the key is
 * replaced by a new one, whose copy BuildKit does not have: every file is sent. Written before the
 * build, under a lock: a sync that dies midway leaves the record a superset of what BuildKit keeps
 * (and BuildKit drops a failed sync's copy). No state folder: a key of its own for every build.
 */
export async function claimSharedKey(
  stateDir: string | undefined,
  contextDir: string,
  files: readonly SentFile[],
): Promise<string> {
  const fresh = () => nodeCrypto().randomBytes(16).toString('hex');
  if (!stateDir || files.some((file) => file.sha256 === '')) return fresh();
  stateSubdir(stateDir, 'context-sync');
  const path = stateFileFor(stateDir, 'context-sync', contextDir, '.json');
  return withTargetLock(stateDir, `context-sync:${contextDir}`, async () => {
    const record = (await readRecord(path)) ?? { version: VERSION, key: fresh(), sent: [] };
    const known = new Map<string, string>();
    for (const [file, stat, sha256] of record.sent) known.set(`${file}\u0000${stat}`, sha256);
    // One pass, one key per file: what is new, and whether a known stat now has other bytes.
    const unknown: SentFile[] = [];
    let conflict = false;
    for (const file of files) {
      const digest = known.get(`${file.path}\u0000${file.stat}`);
      if (digest === undefined) unknown.push(file);
      else if (digest !== file.sha256) conflict = true;
    }
    const next: SyncRecord =
      conflict || known.size > files.length + SLACK ? { version: VERSION, key: fresh(), sent: [] } : record;
    const added = next === record ? unknown : files;
    if (next === record && added.length === 0) return next.key;
    for (const file of added) next.sent.push([file.path, file.stat, file.sha256]);
    writeStateFile(path, JSON.stringify(next));
    return next.key;
  });
}

/** The record, or undefined when there is none or it cannot be trusted (then a new key is used). */
async function readRecord(path: string): Promise<SyncRecord | undefined> {
  try {
    const record = JSON.parse(await readFile(path, 'utf8')) as SyncRecord;
    if (record.version === VERSION && typeof record.key === 'string' && Array.isArray(record.sent))
      return record;
  } catch {
    // None yet, or unreadable: a new key is always safe.
  }
  return undefined;
}
