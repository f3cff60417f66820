import { closeSync, existsSync, openSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { PRIVATE_FILE_MODE } from '@devops-butler/core';
import type Database from 'better-sqlite3';
import { migrate } from './migrations.js';

/**
 * Opens the database, creating its file with the owner's permissions first: SQLite would make it
 * 0644, and gives its -wal and -shm files the database file's mode.
 */
export function openPrivate(path: string): Database.Database {
  if (!existsSync(path)) {
    try {
      closeSync(openSync(path, 'wx', PRIVATE_FILE_MODE));
    } catch (error) {
      // Another process created it between the check and here: that one's mode stands.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  const addon = nativeBinding();
  try {
    return new (sqlite())(path, addon ? { nativeBinding: addon } : {});
  } catch (error) {
    throw explainAddonError(error);
  }
}

/**
 * A native module built for another Node.js (a checkout installed under Node 20, run with Node
 * 24) fails with words only its author knows; say which module, why, and the fix.
 */
export function explainAddonError(error: unknown): unknown {
  const message = error instanceof Error ? error.message : String(error);
  if (!/did not self-register|NODE_MODULE_VERSION|was compiled against a different Node\.js/.test(message))
    return error;
  return new Error(
    `better-sqlite3 was built for another Node.js than this one (${process.version}); rebuild it: npm rebuild better-sqlite3 (in a checkout of Butler: bash scripts/bootstrap.sh)`,
    { cause: error },
  );
}

let loaded: typeof Database | undefined;

/** better-sqlite3, loaded by the first open: a journaled cache hit never opens the store (hit-journal.ts). */
function sqlite(): typeof Database {
  loaded ??= createRequire(import.meta.url)('better-sqlite3') as typeof Database;
  return loaded;
}

let addonPath: string | undefined;

/**
 * better-sqlite3's compiled addon, named directly: otherwise its `bindings` helper tries a dozen
 * paths on every run (~1.5 ms of a cache hit). Empty when it is not where a build puts it.
 */
function nativeBinding(): string {
  if (addonPath === undefined) {
    try {
      const root = dirname(createRequire(import.meta.url).resolve('better-sqlite3/package.json'));
      const built = join(root, 'build', 'Release', 'better_sqlite3.node');
      addonPath = existsSync(built) ? built : '';
    } catch {
      addonPath = '';
    }
  }
  return addonPath;
}

export function prepare(db: Database.Database): Database.Database {
  try {
    db.pragma('busy_timeout = 15000');
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    migrate(db);
    db.prepare('SELECT count(*) FROM builds').get();
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

export function isDamaged(error: unknown): boolean {
  const code = (error as { code?: string }).code ?? '';
  return code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB';
}
