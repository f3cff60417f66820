import { appendFileSync, readFileSync, rmSync } from 'node:fs';
import { nodeCrypto } from '../hashing/sha256.js';
import { withTargetLock } from '../state/lock.js';
import { stateFileFor, stateSubdir, writeStateFile } from '../state/state-dir.js';

/** A file a sync announces: its path, the stat fields BuildKit compares, and its hashed digest. */
export interface SentFile {
  path: string;
  stat: string;
  sha256: string;
}

/**
 * The record on disk, one per context folder: NUL-separated fields (a path may hold any character
 * but NUL) — `FORMAT`, the key, then `path`, `stat`, `sha256` for every entry ever announced under
 * the key. New entries are appended: a miss that changed one file of 20,000 writes one entry, not
 * the 2.4 MB of JSON the first format rewrote, and reads the record in a third of the time.
 */
const FORMAT = 'devops-butler/context-sync/v2';
/** The first format's file (JSON): removed when a record of this one is written. */
const OLD_EXTENSION = '.json';
const KEY = /^[0-9a-f]{32}$/;
const DIGEST_LENGTH = 64;
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
  const path = stateFileFor(stateDir, 'context-sync', contextDir, '.rec');
  return withTargetLock(stateDir, `context-sync:${contextDir}`, async () => {
    const record = readRecord(path);
    // One pass, one key per file: what is new, and whether a known stat now has other bytes.
    const unknown: SentFile[] = [];
    let conflict = false;
    for (const file of files) {
      const digest = record?.known.get(`${file.path}\u0000${file.stat}`);
      if (digest === undefined) unknown.push(file);
      else if (digest !== file.sha256) conflict = true;
    }
    if (record && !conflict && record.known.size <= files.length + SLACK) {
      if (unknown.length > 0) appendFileSync(path, entries(unknown));
      return record.key;
    }
    const key = fresh();
    writeStateFile(path, `${FORMAT}\u0000${key}\u0000${entries(files)}`);
    rmSync(stateFileFor(stateDir, 'context-sync', contextDir, OLD_EXTENSION), { force: true });
    return key;
  });
}

function entries(files: readonly SentFile[]): string {
  let text = '';
  for (const file of files) text += `${file.path}\u0000${file.stat}\u0000${file.sha256}\u0000`;
  return text;
}

/**
 * The record's key and its (path, stat) → digest entries; undefined when there is none or it
 * cannot be trusted — another format, or a tail an interrupted append tore (a field count or a
 * digest that does not add up) — and then a new key is used, which is always safe.
 */
function readRecord(path: string): { key: string; known: Map<string, string> } | undefined {
  let fields: string[];
  try {
    fields = readFileSync(path, 'utf8').split('\u0000');
  } catch {
    return undefined; // none yet, or unreadable
  }
  // Every field ends in NUL, so the text's last piece is empty.
  if (fields.pop() !== '' || fields[0] !== FORMAT || fields.length % 3 !== 2) return undefined;
  const key = fields[1] as string;
  if (!KEY.test(key)) return undefined;
  const known = new Map<string, string>();
  for (let i = 2; i < fields.length; i += 3) {
    const digest = fields[i + 2] as string;
    if (digest.length !== DIGEST_LENGTH) return undefined;
    known.set(`${fields[i]}\u0000${fields[i + 1]}`, digest);
  }
  return { key, known };
}
