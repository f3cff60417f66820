import { readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PRIVATE_FILE_MODE, stateFileFor, stateSubdir, uniqueToken } from '@devops-butler/core';
import type { BuildRecord } from './state-store.js';

/**
 * Cache hits are written as one file each in `hits/` instead of opening the database (small; with
 * the input manifest's text where the store may lack it): loading SQLite and opening the store is
 * ~15 ms of a ~170 ms hit, and creating a new store with a large manifest compressed ~60 ms. The
 * store folds the files in the next time anything opens it (stats, why, list, the next miss),
 * before it answers, so nothing reads a history without them.
 *
 * Crash-safe by construction: a file appears whole (written aside, then renamed) or not at all;
 * its name is the record's id, inserted with `INSERT OR IGNORE`, so a fold that stops between the
 * commit and the deletes inserts nothing twice when it runs again.
 */
const HITS = 'hits';
/** Past this many waiting files a hit records through the database, which folds them in. */
const MAX_PENDING = 500;
/** Past this many waiting manifests (~2 MB each for 20,000 files) likewise. */
const MAX_PENDING_MANIFESTS = 8;
/** The end of a journaled hit's file name that carries its manifest. */
const WITH_MANIFEST = '-m.json';
const MANIFEST_MARKS = 'manifest-marks';

/** A journaled hit: the record, its id (the file's name), and the manifest's JSON text when it carries one. */
export interface JournaledHit {
  id: string;
  record: BuildRecord;
  manifest?: string | undefined;
}

/**
 * Journals a hit instead of opening the database. A hit of the digest whose manifest the store is
 * known to hold (the repository's mark: the last record of that repository stored or found it)
 * journals its record alone. Any other hit journals the text of its manifest with it
 * (`manifestText`), compressed and stored when the store folds the file in: the first hit of a
 * fresh checkout, or of a new state folder, then opens no database either (recording it there,
 * with a 20,000-file manifest compressed, took ~60 ms). Answers false — the caller records through
 * the database, which folds the waiting files in — when 500 files or 8 manifests wait, when there
 * is no manifest to journal, and when the folder cannot be written.
 */
export function journalHit(stateDir: string, record: BuildRecord, manifestText?: () => string): boolean {
  try {
    const known = readMark(stateDir, record.repo) === record.digest;
    if (!known && !manifestText) return false;
    const dir = stateSubdir(stateDir, HITS);
    // A folder only hits ever write to (nothing opened the store for a while) stays bounded.
    const waiting = readdirSync(dir);
    if (waiting.length >= MAX_PENDING) return false;
    if (!known && waiting.filter((name) => name.endsWith(WITH_MANIFEST)).length >= MAX_PENDING_MANIFESTS)
      return false;
    const id = `${Date.now().toString(36)}-${process.pid}-${uniqueToken().slice(0, 12)}${known ? '' : '-m'}`;
    const aside = join(dir, `.${id}.tmp`);
    const text = JSON.stringify(record);
    // The manifest's text is JSON already: spliced in, not parsed and written again.
    const body = known || !manifestText ? text : `${text.slice(0, -1)},"manifest":${manifestText()}}`;
    writeFileSync(aside, body, { mode: PRIVATE_FILE_MODE });
    renameSync(aside, join(dir, `${id}.json`));
    if (!known) markManifestStored(stateDir, record.repo, record.digest);
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

/**
 * Forgets every mark: an unreadable journal file may have carried the manifest a mark counts as
 * stored. The next hit of each repository records through the database, which stores it again.
 */
export function clearManifestMarks(stateDir: string): void {
  rmSync(join(stateDir, MANIFEST_MARKS), { recursive: true, force: true });
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
      const { manifest, ...record } = JSON.parse(
        readFileSync(join(stateDir, HITS, name), 'utf8'),
      ) as BuildRecord & {
        manifest?: { digest?: unknown };
      };
      if (
        typeof record.repo !== 'string' ||
        typeof record.digest !== 'string' ||
        record.decision !== 'reused' ||
        (manifest !== undefined && manifest?.digest !== record.digest)
      )
        throw new Error('not a hit record');
      hits.push({ id, record, ...(manifest ? { manifest: JSON.stringify(manifest) } : {}) });
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

function readMark(stateDir: string, repo: string): string | undefined {
  try {
    return readFileSync(markPath(stateDir, repo), 'utf8');
  } catch {
    return undefined;
  }
}

function markPath(stateDir: string, repo: string): string {
  return stateFileFor(stateDir, MANIFEST_MARKS, repo);
}
