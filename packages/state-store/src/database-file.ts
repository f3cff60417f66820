import { closeSync, existsSync, openSync } from 'node:fs';
import { PRIVATE_FILE_MODE } from '@devops-butler/core';
import { migrate } from './migrations.js';

/** What the store uses of a prepared statement of Node's built-in SQLite (`node:sqlite`). */
export interface Statement {
  run(...params: unknown[]): { changes: number | bigint; lastInsertRowid: number | bigint };
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
}

/** What the store uses of a `DatabaseSync` (typed here: the project's @types/node predates it). */
export interface Database {
  exec(sql: string): void;
  prepare(sql: string): Statement;
  close(): void;
}

interface NodeSqlite {
  DatabaseSync: new (path: string) => Database;
}

let loaded: NodeSqlite | undefined;

/**
 * Node's built-in SQLite, loaded by the first open (a journaled cache hit never opens the store:
 * hit-journal.ts). Built into Node 22.13 and later: no native addon to compile or to match the
 * Node it runs on. Node 22 and 23 call it experimental and print a warning on its first load,
 * which a user of Butler can do nothing about: that one warning is not printed.
 */
function sqlite(): NodeSqlite {
  if (loaded) return loaded;
  const emitWarning = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    if (!/SQLite is an experimental feature/.test(String(warning)))
      (emitWarning as (...args: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    loaded = process.getBuiltinModule('node:sqlite') as NodeSqlite | undefined;
  } catch {
    loaded = undefined;
  } finally {
    process.emitWarning = emitWarning;
  }
  if (!loaded?.DatabaseSync) {
    throw new Error(
      `the state store needs Node.js 22.13 or newer (its built-in node:sqlite); this is ${process.version}: install a newer Node.js`,
    );
  }
  return loaded;
}

/**
 * Opens the database, creating its file with the owner's permissions first: SQLite would make it
 * 0644, and gives its -wal and -shm files the database file's mode.
 */
export function openPrivate(path: string): Database {
  if (!existsSync(path)) {
    try {
      closeSync(openSync(path, 'wx', PRIVATE_FILE_MODE));
    } catch (error) {
      // Another process created it between the check and here: that one's mode stands.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  return new (sqlite().DatabaseSync)(path);
}

/** Sets the connection up (a wait for other processes' locks first), migrates, and reads once. */
export function prepare(db: Database): Database {
  try {
    db.exec('PRAGMA busy_timeout = 15000');
    db.exec('PRAGMA journal_mode = WAL');
    db.exec('PRAGMA synchronous = NORMAL');
    migrate(db);
    db.prepare('SELECT count(*) FROM builds').get();
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/**
 * Runs `write` in one transaction that takes the write lock at its start (BEGIN IMMEDIATE: a
 * reader that later wants to write cannot deadlock against another process), rolled back on error.
 */
export function immediate(db: Database, write: () => void): void {
  db.exec('BEGIN IMMEDIATE');
  try {
    write();
    db.exec('COMMIT');
  } catch (error) {
    try {
      db.exec('ROLLBACK');
    } catch {
      // SQLite rolled it back itself (a full disk, an I/O error): nothing is left open
    }
    throw error;
  }
}

/** The schema version the database carries (`PRAGMA user_version`). */
export function userVersion(db: Database): number {
  return (db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version;
}

/** SQLite's primary result codes for a file that is no database or a damaged one. */
const SQLITE_CORRUPT = 11;
const SQLITE_NOTADB = 26;

export function isDamaged(error: unknown): boolean {
  // node:sqlite gives the (extended) result code as `errcode`; its low byte is the primary code.
  const errcode = (error as { errcode?: unknown }).errcode;
  if (typeof errcode !== 'number') return false;
  const primary = errcode & 0xff;
  return primary === SQLITE_CORRUPT || primary === SQLITE_NOTADB;
}

/** SQLite's own words for what went wrong (`errstr`), else the error's message. */
export function sqliteReason(error: unknown): string {
  const errstr = (error as { errstr?: unknown }).errstr;
  return typeof errstr === 'string' ? errstr : error instanceof Error ? error.message : 'unreadable';
}
