import { lstat, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { type FixtureTree, makeTree } from './fixture-tree.js';

let tree: FixtureTree | undefined;
afterEach(() => tree?.remove());

test('makes files, modes, symlinks and empty folders from an object', async () => {
  tree = await makeTree({
    'a/b.txt': 'hello',
    'run.sh': { content: '#!/bin/sh', mode: 0o755 },
    link: { symlink: 'a/b.txt' },
    empty: { dir: true },
  });
  expect(await readFile(join(tree.dir, 'a/b.txt'), 'utf8')).toBe('hello');
  expect((await lstat(join(tree.dir, 'run.sh'))).mode & 0o777).toBe(0o755);
  expect(await readlink(join(tree.dir, 'link'))).toBe('a/b.txt');
  expect((await lstat(join(tree.dir, 'empty'))).isDirectory()).toBe(true);
});
