import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { makeTree } from '@devops-butler/test-support';
import { expect, test } from 'vitest';
// The worker thread runs compiled JavaScript, so the parallel path is tested on the built package.
import { sha256OfFilesInParallel } from '../../dist/hashing/file-digest.js';

test('hashing on two threads gives every file its own digest, in order', async () => {
  const contents = ['', 'a', 'b'.repeat(3_000_000), 'c'.repeat(10), 'd'.repeat(2_000_000)];
  const tree = await makeTree(Object.fromEntries(contents.map((c, i) => [`f${i}`, c])));
  try {
    const files = contents.map((c, i) => ({ path: join(tree.dir, `f${i}`), size: c.length }));
    const digests = await sha256OfFilesInParallel(files, 0);
    expect(digests).toEqual(contents.map((c) => createHash('sha256').update(c).digest('hex')));
  } finally {
    await tree.remove();
  }
});
