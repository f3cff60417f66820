import { copyFileSync, existsSync, readdirSync, writeFileSync } from 'node:fs';
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

const manifestOf = (digest: string) =>
  JSON.stringify({
    digest,
    dockerfile: 'FROM scratch\n',
    buildArgs: {},
    target: '',
    platform: 'linux/amd64',
    images: {},
    contributions: {},
    files: { 'a.txt': `file - ${'ab'.repeat(32)}`, 'with "quotes".txt': 'symlink ../x' },
    dependencies: {},
  });
const manifestIn = (dir: string, digest: string) => {
  const store = StateStore.open(dir);
  try {
    return store.manifest(digest);
  } finally {
    store.close();
  }
};

test("the first hit of a digest the store may lack journals its manifest's text; the fold stores it, once", () => {
  const dir = stateDir();
  expect(journalHit(dir, hit('d1'), () => manifestOf('d1'))).toBe(true);
  expect(journal(dir)).toEqual([expect.stringMatching(/-m\.json$/)]);
  expect(existsSync(join(dir, 'butler.db'))).toBe(false);
  // Marked: the next hit of that digest journals its record alone, however often it comes.
  let asked = 0;
  expect(journalHit(dir, hit('d1'), () => `${asked++}`)).toBe(true);
  expect(asked).toBe(0);
  expect(manifestIn(dir, 'd1')).toEqual(JSON.parse(manifestOf('d1')));
  expect(stats(dir).stats[0]).toMatchObject({ builds: 2, hits: 2 });
  expect(journal(dir)).toEqual([]);
});

test('a journaled manifest that is not the hit’s own is dropped with its file, and said', () => {
  const dir = stateDir();
  expect(journalHit(dir, hit('d1'), () => manifestOf('other'))).toBe(true);
  const warnings: string[] = [];
  const store = StateStore.open(dir, { onWarning: (message) => warnings.push(message) });
  expect(store.manifest('d1')).toBeUndefined();
  expect(store.manifest('other')).toBeUndefined();
  store.close();
  expect(warnings).toHaveLength(1);
  expect(journal(dir)).toEqual([]);
  // The mark that counted it stored is gone too: the next hit stores the manifest again.
  expect(journalHit(dir, hit('d1'))).toBe(false);
});

test('at most 8 manifests wait in the journal: the 9th hit of a new digest goes through the database', () => {
  const dir = stateDir();
  for (let i = 0; i < 8; i++) expect(journalHit(dir, hit(`d${i}`), () => manifestOf(`d${i}`))).toBe(true);
  expect(journalHit(dir, hit('d8'), () => manifestOf('d8'))).toBe(false);
  expect(journalHit(dir, hit('d8'))).toBe(false);
  // A hit of a digest marked stored still journals (its file carries no manifest).
  expect(journalHit(dir, hit('d7'))).toBe(true);
  expect(manifestIn(dir, 'd3')?.digest).toBe('d3');
  expect(journal(dir)).toEqual([]);
});
