import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { immediate, isDamaged, openPrivate, sqliteReason } from './database-file.js';

test('a file that is no database is told apart from any other failure, in SQLite’s words', () => {
  const dir = mkdtempSync(join(tmpdir(), 'butler-db-'));
  try {
    const path = join(dir, 'butler.db');
    writeFileSync(
      path,
      'this is not a database, and it is long enough to have a header to read\n'.repeat(20),
    );
    const db = openPrivate(path);
    const error = (() => {
      try {
        db.exec('SELECT count(*) FROM sqlite_master');
      } catch (caught) {
        return caught;
      }
    })();
    db.close();
    expect(isDamaged(error)).toBe(true);
    expect(sqliteReason(error)).toMatch(/not a database/);
    expect(isDamaged(new Error('SQLITE_BUSY: database is locked'))).toBe(false);
    expect(isDamaged(Object.assign(new Error('locked'), { errcode: 5 }))).toBe(false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a write that fails half-way leaves nothing of it behind, and the connection usable', () => {
  const dir = mkdtempSync(join(tmpdir(), 'butler-db-'));
  try {
    const db = openPrivate(join(dir, 'butler.db'));
    db.exec('CREATE TABLE t (x INTEGER)');
    expect(() =>
      immediate(db, () => {
        db.prepare('INSERT INTO t (x) VALUES (?)').run(1);
        throw new Error('the second half failed');
      }),
    ).toThrow('the second half failed');
    immediate(db, () => {
      db.prepare('INSERT INTO t (x) VALUES (?)').run(2);
    });
    expect(db.prepare('SELECT x FROM t').all()).toEqual([{ x: 2 }]);
    db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
