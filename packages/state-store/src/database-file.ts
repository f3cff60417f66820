import { closeSync, existsSync, openSync } from 'node:fs';
import { PRIVATE_FILE_MODE } from '@devops-butler/core';
import Database from 'better-sqlite3';
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
  return new Database(path);
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
