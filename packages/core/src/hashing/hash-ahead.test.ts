import { createHash } from 'node:crypto';
import { makeTree } from '@devops-butler/test-support';
import { expect, test } from 'vitest';
// Worker threads run compiled JavaScript, so hashing ahead on two threads is tested on the build.
import { toRequest } from '../../dist/hashing/hash-context.js';
import { Butler } from '../../dist/kernel/butler.js';
import type { ButlerPlugin } from '../../dist/kernel/plugin.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
// Enough files that a folder with no stat cache is hashed on both threads, ahead of the plugins.
const FILES = 2500;
const contents = Object.fromEntries(
  Array.from({ length: FILES }, (_, i) => [`src/f${String(i).padStart(4, '0')}.txt`, `file ${i}\n`]),
);

/** A plugin that drops one file from the list the walk made (after hashing ahead began). */
const dropping = (path: string): ButlerPlugin => ({
  name: 'test:drop',
  apply(butler) {
    butler.hooks.resolveContext.tapPromise('test:drop', async (context) => ({
      ...context,
      files: context.files.filter((file) => file !== path),
    }));
  },
});

test('a folder hashed for the first time gets every file its own digest, whether or not a plugin changes the list', async () => {
  const tree = await makeTree({ Dockerfile: 'FROM scratch\nCOPY . /app/\n', ...contents });
  try {
    for (const plugins of [[], [dropping('src/f0007.txt')]]) {
      const hashed = await new Butler({ plugins, stateDir: '' }).hash(toRequest({ context: tree.dir }));
      const files = hashed.inputs.files.filter((file) => file.type === 'file');
      expect(files.length).toBe(FILES + 1 - plugins.length);
      for (const file of files) {
        const text = file.path === 'Dockerfile' ? 'FROM scratch\nCOPY . /app/\n' : contents[file.path];
        expect(file.sha256, file.path).toBe(sha256(text as string));
      }
      expect(files.some((file) => file.path === 'src/f0007.txt')).toBe(plugins.length === 0);
    }
  } finally {
    await tree.remove();
  }
});
