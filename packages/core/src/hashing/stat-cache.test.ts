import { readdirSync, readFileSync, type Stats, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { useTempDirs } from '@devops-butler/test-support';
import { expect, test } from 'vitest';
import { StatCache } from './stat-cache.js';

const tempDir = useTempDirs();
const stateDir = () => tempDir('butler-stat-cache-');

/** A minute ago: outside the racy window, so entries are cached. */
const OLD = Date.now() - 60_000;
/** The fields of lstat's answer that the cache compares. */
function stats(size: number, ino: number, mtimeMs = OLD): Stats {
  return { size, ino, mtimeMs, ctimeMs: mtimeMs } as Stats;
}
const sha = (c: string) => c.repeat(64);
const CONTEXT = '/projects/app';

test('a saved cache answers for unchanged files in a later run, and not for changed ones', () => {
  const state = stateDir();
  const first = StatCache.load(state, CONTEXT);
  const a = stats(10, 1);
  const b = stats(20, 2);
  expect(first.get('a.txt', a)).toBeUndefined();
  first.set('a.txt', a, sha('a'));
  first.set('src/b.ts', b, sha('b'));
  first.save();

  const second = StatCache.load(state, CONTEXT);
  expect(second.get('a.txt', a)).toBe(sha('a'));
  expect(second.get('src/b.ts', { ...b, mtimeMs: b.mtimeMs + 1 } as Stats)).toBeUndefined();
  expect(StatCache.load(state, CONTEXT).get('src/b.ts', { ...b, size: 21 } as Stats)).toBeUndefined();
  expect(StatCache.load(state, CONTEXT).get('src/b.ts', { ...b, ino: 3 } as Stats)).toBeUndefined();
  expect(StatCache.load(state, '/projects/other').get('a.txt', a)).toBeUndefined();
});

test('files added and removed between runs: the others are still found, and names may be any UTF-8', () => {
  const state = stateDir();
  const names = ['a', 'b', 'c', 'd/é ü.txt', 'd/名前', 'e'];
  const first = StatCache.load(state, CONTEXT);
  names.forEach((name, i) => {
    first.set(name, stats(i, i), sha(String(i)));
  });
  first.save();

  // b removed, "bb" added, asked in path order as the hash does.
  const second = StatCache.load(state, CONTEXT);
  expect(second.get('a', stats(0, 0))).toBe(sha('0'));
  expect(second.get('bb', stats(9, 9))).toBeUndefined();
  second.set('bb', stats(9, 9), sha('9'));
  expect(second.get('c', stats(2, 2))).toBe(sha('2'));
  expect(second.get('d/é ü.txt', stats(3, 3))).toBe(sha('3'));
  expect(second.get('d/名前', stats(4, 4))).toBe(sha('4'));
  expect(second.get('e', stats(5, 5))).toBe(sha('5'));
  second.save();

  const third = StatCache.load(state, CONTEXT);
  expect(third.get('b', stats(1, 1))).toBeUndefined(); // dropped: not used by the last run
  expect(third.get('e', stats(5, 5))).toBe(sha('5')); // out of order still answers
  expect(third.get('bb', stats(9, 9))).toBe(sha('9'));
  expect(third.get('a', stats(0, 0))).toBe(sha('0'));
});

test('an unchanged tree does not rewrite the cache; a file changed too recently is not cached', () => {
  const state = stateDir();
  const first = StatCache.load(state, CONTEXT);
  first.set('a', stats(1, 1), sha('a'));
  first.set('fresh', stats(1, 2, Date.now()), sha('f'));
  first.save();
  const [file] = readdirSync(join(state, 'stat-cache'));
  const path = join(state, 'stat-cache', file as string);
  const written = statSync(path).ino; // a rewrite is a new file renamed over it

  const second = StatCache.load(state, CONTEXT);
  expect(second.get('a', stats(1, 1))).toBe(sha('a'));
  expect(second.get('fresh', stats(1, 2))).toBeUndefined();
  second.save();
  expect(statSync(path).ino).toBe(written);
});

test('a torn, truncated or foreign cache file is an empty cache, and the next save replaces it', () => {
  const state = stateDir();
  const first = StatCache.load(state, CONTEXT);
  first.set('a', stats(1, 1), sha('a'));
  first.save();
  const [file] = readdirSync(join(state, 'stat-cache'));
  const path = join(state, 'stat-cache', file as string);
  const whole = readFileSync(path);

  for (const broken of [
    whole.subarray(0, whole.length - 1),
    Buffer.from('{"version":2,"entries":[]}'),
    Buffer.alloc(0),
  ]) {
    writeFileSync(path, broken);
    expect(StatCache.load(state, CONTEXT).get('a', stats(1, 1))).toBeUndefined();
  }
  const again = StatCache.load(state, CONTEXT);
  again.set('a', stats(1, 1), sha('a'));
  again.save();
  expect(StatCache.load(state, CONTEXT).get('a', stats(1, 1))).toBe(sha('a'));
});

test('the JSON cache of earlier versions is removed when the new one is written', () => {
  const state = stateDir();
  const cache = StatCache.load(state, CONTEXT);
  cache.set('a', stats(1, 1), sha('a'));
  cache.save();
  const [file] = readdirSync(join(state, 'stat-cache'));
  const old = join(state, 'stat-cache', (file as string).replace(/\.bin$/, '.json'));
  writeFileSync(old, '{"version":2,"entries":[]}');
  const next = StatCache.load(state, CONTEXT);
  next.set('b', stats(2, 2), sha('b'));
  next.save();
  expect(readdirSync(join(state, 'stat-cache'))).toEqual([file]);
});
