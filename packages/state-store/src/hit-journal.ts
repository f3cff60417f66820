import { readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PRIVATE_FILE_MODE, stateFileFor, stateSubdir, uniqueToken } from '@devops-butler/core';
import type { BuildRecord } from './state-store.js';

/**
 * Cache hits are written as one small file each in `hits/` instead of opening the database:
 * loading SQLite's addon and opening the store is ~15 ms of a ~170 ms hit. The store folds the
 * files in the next time anything opens it (stats, why, list, the next miss), before it answers,
 * so nothing reads a history without them.
 *
 * Crash-safe by construction: a file appears whole (written aside, then renamed) or not at all;
 * its name is the record's id, inserted with `INSERT OR IGNORE`, so a fold that stops between the
 * commit and the deletes inserts nothing twice when it runs again.
 */
const HITS = 'hits';
/** Past this many waiting files a hit records through the database, which folds them in. */
const MAX_PENDING = 500;
const MANIFEST_MARKS = 'manifest-marks';

/** A journaled hit: the record and its id (the file's name). */
export interface JournaledHit {
  id: string;
  record: BuildRecord;
}

/**
 * Journals a hit when the store is known to hold the input manifest of its digest (the last
 * record of that repository stored or found it); otherwise answers false and the caller records
 * through the database, which stores the manifest (and folds the waiting files in). So does a hit
 * that finds 500 files waiting, and a folder that cannot be written.
 */
export function journalHit(stateDir: string, record: BuildRecord): boolean {
  try {
    if (readFileSync(markPath(stateDir, record.repo), 'utf8') !== record.digest) return false;
    const dir = stateSubdir(stateDir, HITS);
    // A folder only hits ever write to (nothing opened the store for a while) stays bounded.
    if (readdirSync(dir).length >= MAX_PENDING) return false;
    const id = `${Date.now().toString(36)}-${process.pid}-${uniqueToken().slice(0, 12)}`;
    const aside = join(dir, `.${id}.tmp`);
    writeFileSync(aside, JSON.stringify(record), { mode: PRIVATE_FILE_MODE });
    renameSync(aside, join(dir, `${id}.json`));
    return true;
  } catch {
    return false;
  }
}

/** Notes that the store holds the input manifest of `digest`, the repository's newest. */
export function markManifestStored(stateDir: string, repo: string, digest: string): void {
  try {
    stateSubdir(stateDir, MANIFEST_MARKS);
    const path = markPath(stateDir, repo);
    const aside = `${path}.${process.pid}.tmp`;
    writeFileSync(aside, digest, { mode: PRIVATE_FILE_MODE });
    renameSync(aside, path);
  } catch {
    // Without the mark the next hit records through the database: slower, never wrong.
  }
}

/** Forgets a repository's mark: its newest manifest may be gone (pruned) or not yet stored. */
export function clearManifestMark(stateDir: string, repo: string): void {
  rmSync(markPath(stateDir, repo), { force: true });
}

/** The journaled hits waiting to be folded in, oldest first; unreadable files are `broken`. */
export function pendingHits(stateDir: string): { hits: JournaledHit[]; broken: string[] } {
  let names: string[];
  try {
    names = readdirSync(join(stateDir, HITS)).filter(
      (name) => name.endsWith('.json') && !name.startsWith('.'),
    );
  } catch {
    return { hits: [], broken: [] };
  }
  const hits: JournaledHit[] = [];
  const broken: string[] = [];
  for (const name of names.sort()) {
    const id = name.slice(0, -'.json'.length);
    try {
      const record = JSON.parse(readFileSync(join(stateDir, HITS, name), 'utf8')) as BuildRecord;
      if (
        typeof record.repo !== 'string' ||
        typeof record.digest !== 'string' ||
        record.decision !== 'reused'
      )
        throw new Error('not a hit record');
      hits.push({ id, record });
    } catch {
      broken.push(id);
    }
  }
  return { hits, broken };
}

/** Removes folded (or unreadable) journal files. */
export function removeHits(stateDir: string, ids: readonly string[]): void {
  for (const id of ids) rmSync(join(stateDir, HITS, `${id}.json`), { force: true });
}

function markPath(stateDir: string, repo: string): string {
  return stateFileFor(stateDir, MANIFEST_MARKS, repo);
}
