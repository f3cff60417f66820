import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { useTempDirs } from '@devops-butler/test-support';
import { expect, test, vi } from 'vitest';

/** Reads of remembered finds, counted (everything else passes through). */
const reads = vi.hoisted(() => ({ finds: 0 }));
vi.mock('node:fs', async (original) => {
  const fs = await original<typeof import('node:fs')>();
  const readFileSync = ((path: Parameters<typeof fs.readFileSync>[0], ...rest: unknown[]) => {
    if (String(path).includes('manifest-finds')) reads.finds++;
    return (fs.readFileSync as (...args: unknown[]) => unknown)(path, ...rest);
  }) as typeof fs.readFileSync;
  return { ...fs, readFileSync, default: { ...fs, readFileSync } };
});

import { findRemembered } from './finder-cache.js';
import { createManifestFinder } from './manifest-matcher.js';

const tempDir = useTempDirs();
const stateDir = () => tempDir('butler-finds-');

const PATTERNS = ['package.json', 'requirements/*.txt'];
/** The real finder, counting how often it is run. */
function countingFinder() {
  const find = createManifestFinder(PATTERNS);
  const counted = (files: readonly string[]) => {
    counted.calls++;
    return find(files);
  };
  counted.calls = 0;
  return counted;
}
const tree = ['a/package.json', 'a/src/index.js', 'package.json', 'requirements/base.txt', 'src/x.py'];

test('the same file list of the same folder is answered from memory, as found the first time', () => {
  const state = stateDir();
  const find = countingFinder();
  const first = findRemembered(state, '/ctx', tree, PATTERNS, find);
  // A new list with the same paths: what the next process gets from its remembered walk.
  const again = findRemembered(state, '/ctx', [...tree], PATTERNS, find);
  expect(first).toEqual(['a/package.json', 'package.json', 'requirements/base.txt']);
  expect(again).toEqual(first);
  expect(find.calls).toBe(1);
});

test('a file added, removed or renamed is found afresh', () => {
  const state = stateDir();
  const find = countingFinder();
  findRemembered(state, '/ctx', tree, PATTERNS, find);
  const added = [...tree, 'b/package.json'].sort();
  expect(findRemembered(state, '/ctx', added, PATTERNS, find)).toContain('b/package.json');
  const renamed = tree.map((p) => (p === 'requirements/base.txt' ? 'requirements/prod.txt' : p));
  expect(findRemembered(state, '/ctx', renamed, PATTERNS, find)).toContain('requirements/prod.txt');
  expect(findRemembered(state, '/ctx', tree.slice(1), PATTERNS, find)).not.toContain('a/package.json');
  expect(find.calls).toBe(4);
});

test('a list a plugin appended to in place is found afresh', () => {
  const state = stateDir();
  const find = countingFinder();
  const files = [...tree];
  findRemembered(state, '/ctx', files, PATTERNS, find);
  files.push('z/package.json');
  expect(findRemembered(state, '/ctx', files, PATTERNS, find)).toContain('z/package.json');
  expect(find.calls).toBe(2);
});

test('other patterns and other folders do not share an answer', () => {
  const state = stateDir();
  const find = countingFinder();
  findRemembered(state, '/ctx', tree, PATTERNS, find);
  const names = createManifestFinder(['index.js']);
  expect(findRemembered(state, '/ctx', tree, ['index.js'], names)).toEqual(['a/src/index.js']);
  findRemembered(state, '/other', tree, PATTERNS, find);
  expect(find.calls).toBe(2);
  // Both answers of /ctx are kept: neither is found again.
  findRemembered(state, '/ctx', tree, PATTERNS, find);
  expect(find.calls).toBe(2);
});

test('a torn or foreign memory is found afresh, and without a state folder nothing is kept', () => {
  const state = stateDir();
  const find = countingFinder();
  findRemembered(state, '/ctx', tree, PATTERNS, find);
  const [file] = readdirSync(join(state, 'manifest-finds'));
  writeFileSync(join(state, 'manifest-finds', file as string), '{"format":"devops-butler/manifest-fi');
  expect(findRemembered(state, '/ctx', tree, PATTERNS, find)).toHaveLength(3);
  writeFileSync(join(state, 'manifest-finds', file as string), JSON.stringify({ finds: { x: 1 } }));
  expect(findRemembered(state, '/ctx', tree, PATTERNS, find)).toHaveLength(3);
  expect(find.calls).toBe(3);
  findRemembered(undefined, '/ctx', tree, PATTERNS, find);
  findRemembered(undefined, '/ctx', tree, PATTERNS, find);
  expect(find.calls).toBe(5);
});

test('every manifest plugin asking in turn reads the remembered finds once, while the file is the same', () => {
  const state = stateDir();
  const find = countingFinder();
  findRemembered(state, '/ctx', tree, PATTERNS, find);
  const before = reads.finds;
  const names = createManifestFinder(['index.js']);
  findRemembered(state, '/ctx', tree, ['index.js'], names); // another plugin: found, and written
  const written = reads.finds;
  for (let i = 0; i < 7; i++) {
    expect(findRemembered(state, '/ctx', [...tree], PATTERNS, find)).toHaveLength(3);
    expect(findRemembered(state, '/ctx', [...tree], ['index.js'], names)).toEqual(['a/src/index.js']);
  }
  expect(find.calls).toBe(1);
  expect(written - before).toBe(1);
  expect(reads.finds - written).toBe(1);
});
