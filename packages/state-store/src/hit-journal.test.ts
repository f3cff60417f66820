import { copyFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { useTempDirs } from '@devops-butler/test-support';
import { expect, test } from 'vitest';
import { journalHit, markManifestStored } from './hit-journal.js';
import { type BuildRecord, StateStore } from './state-store.js';

const tempDir = useTempDirs();
const stateDir = () => tempDir('butler-journal-');
const hit = (digest = 'd1', at = new Date().toISOString()): BuildRecord => ({
  repo: 'app',
  tag: digest.slice(0, 12),
  digest,
  decision: 'reused',
  durationMs: 12,
  imageId: `sha256:${digest}`,
  at,
});
const journal = (dir: string) => readdirSync(join(dir, 'hits')).filter((name) => name.endsWith('.json'));
const stats = (dir: string) => {
  const store = StateStore.open(dir);
  try {
    return { stats: store.stats('app'), lastUsed: store.lastUsed() };
  } finally {
    store.close();
  }
};

test('a hit whose manifest the store holds is journaled, and counted once the store is opened', () => {
  const dir = stateDir();
  const store = StateStore.open(dir);
  store.recordBuild({ ...hit('d1', '2026-12-04T09:00:00.000Z'), decision: 'built' });
  store.close();
  markManifestStored(dir, 'app', 'd1');
  expect(journalHit(dir, hit('d1', '2026-12-04T10:00:00.000Z'))).toBe(true);
  expect(journalHit(dir, hit('d1', '2026-12-04T11:00:00.000Z'))).toBe(true);
  expect(journal(dir)).toHaveLength(2);
  const {
    stats: [app],
    lastUsed,
  } = stats(dir);
  expect(app).toMatchObject({ builds: 3, hits: 2, misses: 1 });
  expect(lastUsed.get('sha256:d1')).toBe('2026-12-04T11:00:00.000Z');
  // Folded: the files are gone, and opening again counts nothing twice.
  expect(journal(dir)).toEqual([]);
  expect(stats(dir).stats[0]).toMatchObject({ builds: 3, hits: 2 });
});

test('a hit of another digest, or with no mark, goes through the database (it may need its manifest stored)', () => {
  const dir = stateDir();
  expect(journalHit(dir, hit('d1'))).toBe(false);
  markManifestStored(dir, 'app', 'd1');
  expect(journalHit(dir, hit('d2'))).toBe(false);
  expect(journalHit(dir, { ...hit('d1'), repo: 'other' })).toBe(false);
});

test('a fold stopped between its commit and its deletes inserts nothing twice; an unreadable file is dropped, said once', () => {
  const dir = stateDir();
  markManifestStored(dir, 'app', 'd1');
  expect(journalHit(dir, hit())).toBe(true);
  const [file] = journal(dir);
  const kept = join(dir, 'kept.json');
  copyFileSync(join(dir, 'hits', file as string), kept);
  expect(stats(dir).stats[0]).toMatchObject({ builds: 1, hits: 1 });
  // As if the process died after the commit: the same file is there again.
  copyFileSync(kept, join(dir, 'hits', file as string));
  writeFileSync(join(dir, 'hits', 'torn.json'), '{"repo":');
  const warnings: string[] = [];
  const store = StateStore.open(dir, { onWarning: (message) => warnings.push(message) });
  expect(store.stats('app')[0]).toMatchObject({ builds: 1, hits: 1 });
  store.close();
  expect(warnings).toEqual([`1 unreadable cache-hit record(s) in ${join(dir, 'hits')} were dropped`]);
  expect(journal(dir)).toEqual([]);
});

test('a folder that only hits write to stays bounded: with 500 files waiting, a hit goes through the database', () => {
  const dir = stateDir();
  markManifestStored(dir, 'app', 'd1');
  expect(journalHit(dir, hit())).toBe(true);
  for (let i = 0; i < 499; i++) writeFileSync(join(dir, 'hits', `filler-${i}.json`), JSON.stringify(hit()));
  expect(journalHit(dir, hit())).toBe(false);
  // The database path folds them all in (the fillers are hits too).
  expect(stats(dir).stats[0]).toMatchObject({ hits: 500 });
  expect(journal(dir)).toEqual([]);
});
