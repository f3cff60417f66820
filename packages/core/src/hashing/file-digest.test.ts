import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, closeSync, lstatSync, mkdirSync, openSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { makeTree } from '@devops-butler/test-support';
import { expect, test } from 'vitest';
// The worker thread runs compiled JavaScript, so the parallel path is tested on the built package.
import { FileHasher, sha256OfFd } from '../../dist/hashing/file-digest.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
/**
 * Tests that wait for the worker thread: it boots in well under a second, but a loaded CI machine
 * (seen: load 8 beside a full test run) can stretch that past vitest's 5 s default.
 */
const WORKER_TEST_TIMEOUT = 30_000;
const DIST_HASHER = new URL('../../dist/hashing/file-digest.js', import.meta.url);
/** Hashes f0..f599 of a folder on two threads (the worker joins after the first 300) and prints them. */
const HASH_600_FILES = `
const { FileHasher } = await import(process.argv[1]);
const hasher = new FileHasher(600, 0);
for (let i = 0; i < 600; i++) {
  hasher.add(process.argv[2] + '/f' + i, 1);
  for (const deadline = Date.now() + 10000; i === 299 && hasher.workerShare === 0 && Date.now() < deadline; )
    await new Promise((resolve) => setTimeout(resolve, 10));
}
const digests = await hasher.digests();
const modes = Array.from({ length: 600 }, (_, i) => hasher.statOf(i).mode);
process.stdout.write(JSON.stringify({ digests: Array.from(digests, (d) => d ?? null), modes }));
`;

/** Queues the files, pausing after the first batch until the worker thread has hashed some. */
async function queueWhileWorkerRuns(hasher: FileHasher, files: { path: string; size: number }[]) {
  for (const file of files.slice(0, 300)) hasher.add(file.path, file.size);
  for (const deadline = Date.now() + 10_000; hasher.workerShare === 0 && Date.now() < deadline; )
    await new Promise((resolve) => setTimeout(resolve, 10));
  expect(hasher.workerShare).toBeGreaterThan(0);
  for (const file of files.slice(300)) hasher.add(file.path, file.size);
}

test('hashing on two threads gives every file its own digest, in order', async () => {
  const contents = ['', 'a', 'b'.repeat(3_000_000), 'c'.repeat(10), 'd'.repeat(2_000_000)];
  const tree = await makeTree(Object.fromEntries(contents.map((c, i) => [`f${i}`, c])));
  try {
    const files = contents.map((c, i) => ({ path: join(tree.dir, `f${i}`), size: c.length }));
    const hasher = new FileHasher(files.length, 0);
    for (const file of files) hasher.add(file.path, file.size);
    const digests = await hasher.digests();
    expect(digests).toEqual(contents.map(sha256));
  } finally {
    await tree.remove();
  }
});

test('a small job is hashed in this thread: no worker starts', async () => {
  const tree = await makeTree({ a: 'a', b: 'b'.repeat(1000) });
  try {
    const hasher = new FileHasher(2);
    hasher.expect(2);
    hasher.add(join(tree.dir, 'a'), 1);
    hasher.add(join(tree.dir, 'b'), 1000);
    expect(await hasher.digests()).toEqual([sha256('a'), sha256('b'.repeat(1000))]);
    expect(hasher.workerShare).toBe(0);
  } finally {
    await tree.remove();
  }
});

test(
  'files queued while the worker runs get their own digests, in order, hashed on both threads',
  async () => {
    // More files than one batch, so the worker gets several messages while this thread queues more.
    const contents = Array.from({ length: 1200 }, (_, i) => `file ${i} `.repeat(i % 7));
    const tree = await makeTree(Object.fromEntries(contents.map((c, i) => [`f${i}`, c])));
    try {
      const hasher = new FileHasher(contents.length, 0);
      await queueWhileWorkerRuns(
        hasher,
        contents.map((c, i) => ({ path: join(tree.dir, `f${i}`), size: c.length })),
      );
      expect(await hasher.digests()).toEqual(contents.map(sha256));
      expect(hasher.workerShare).toBeGreaterThan(0);
      expect(hasher.workerShare).toBeLessThan(contents.length); // and this thread did its share
    } finally {
      await tree.remove();
    }
  },
  WORKER_TEST_TIMEOUT,
);

test(
  'a job announced as large (a cold cache) hashes on both threads before its queue alone would',
  async () => {
    const contents = Array.from({ length: 300 }, (_, i) => `file ${i}`);
    const tree = await makeTree(Object.fromEntries(contents.map((c, i) => [`f${i}`, c])));
    try {
      // 300 small files cost 300 × 16 KiB, below 8 MB: only the announced 600 pass it.
      const hasher = new FileHasher(600, 8 * 1024 * 1024);
      hasher.expect(600);
      await queueWhileWorkerRuns(
        hasher,
        contents.map((c, i) => ({ path: join(tree.dir, `f${i}`), size: c.length })),
      );
      expect(await hasher.digests()).toEqual(contents.map(sha256));
    } finally {
      await tree.remove();
    }
  },
  WORKER_TEST_TIMEOUT,
);

test(
  'a file that cannot be read fails the job with its own path, whichever thread met it',
  async () => {
    const tree = await makeTree(Object.fromEntries(Array.from({ length: 600 }, (_, i) => [`f${i}`, 'x'])));
    try {
      for (const missing of [0, 599]) {
        const hasher = new FileHasher(601, 0);
        const files = Array.from({ length: 600 }, (_, i) => ({
          path: join(tree.dir, `f${i === missing ? 'gone' : i}`),
          size: 1,
        }));
        await queueWhileWorkerRuns(hasher, files);
        await expect(hasher.digests()).rejects.toMatchObject({
          code: 'ENOENT',
          path: join(tree.dir, 'fgone'),
        });
        hasher.close();
      }
    } finally {
      await tree.remove();
    }
  },
  WORKER_TEST_TIMEOUT,
);

test('a size that no longer holds (the file grew or shrank since it was stated) still gives the digest of the whole file', async () => {
  const tree = await makeTree({ grown: 'abcdef', shrunk: 'ab' });
  const digestOf = (name: string, buffer: Buffer, size: number) => {
    const fd = openSync(join(tree.dir, name), 'r');
    try {
      return sha256OfFd(fd, buffer, size);
    } finally {
      closeSync(fd);
    }
  };
  try {
    const buffer = Buffer.alloc(4);
    // Stated at 3 bytes: it grew to 6 (longer than the buffer), or shrank to 2.
    expect(digestOf('grown', buffer, 3)).toBe(sha256('abcdef'));
    expect(digestOf('shrunk', buffer, 3)).toBe(sha256('ab'));
    expect(digestOf('shrunk', Buffer.alloc(64), 2)).toBe(sha256('ab'));
  } finally {
    await tree.remove();
  }
});

test(
  'the thread that reads a file states it too: mode, size and inode as lstat gives them',
  async () => {
    const names = Array.from({ length: 600 }, (_, i) => `f${i}`);
    const tree = await makeTree(Object.fromEntries(names.map((name, i) => [name, 'x'.repeat(i)])));
    try {
      chmodSync(join(tree.dir, 'f0'), 0o755);
      chmodSync(join(tree.dir, 'f599'), 0o700);
      const hasher = new FileHasher(names.length, 0);
      await queueWhileWorkerRuns(
        hasher,
        names.map((name) => ({ path: join(tree.dir, name), size: 0 })),
      );
      await hasher.digests();
      expect(hasher.workerShare).toBeGreaterThan(0);
      names.forEach((name, i) => {
        const stats = lstatSync(join(tree.dir, name));
        expect(hasher.statOf(i)).toEqual({
          mode: stats.mode,
          size: stats.size,
          mtimeMs: stats.mtimeMs,
          ctimeMs: stats.ctimeMs,
          ino: stats.ino,
        });
      });
    } finally {
      await tree.remove();
    }
  },
  WORKER_TEST_TIMEOUT,
);

test(
  'a symlink, a fifo or a folder queued as a file is not followed, waited on or read, on either thread',
  async () => {
    const outside = await makeTree({ secret: 'not in the context' });
    const tree = await makeTree(Object.fromEntries(Array.from({ length: 600 }, (_, i) => [`f${i}`, `${i}`])));
    try {
      // Swapped in after the walk saw files there: the first and last, so each thread meets some.
      for (const i of [0, 599]) {
        rmSync(join(tree.dir, `f${i}`));
        symlinkSync(join(outside.dir, 'secret'), join(tree.dir, `f${i}`));
      }
      for (const i of [1, 598]) {
        rmSync(join(tree.dir, `f${i}`));
        execFileSync('mkfifo', [join(tree.dir, `f${i}`)]);
      }
      for (const i of [2, 597]) {
        rmSync(join(tree.dir, `f${i}`));
        mkdirSync(join(tree.dir, `f${i}`));
      }
      // In a child process with a time limit: a thread that waited on the fifo would never return.
      const answer = execFileSync(
        process.execPath,
        ['--input-type=module', '-e', HASH_600_FILES, new URL(DIST_HASHER).href, tree.dir],
        { timeout: WORKER_TEST_TIMEOUT - 5_000, encoding: 'utf8' },
      );
      const { digests, modes } = JSON.parse(answer) as { digests: (string | null)[]; modes: number[] };
      for (const i of [0, 1, 2, 597, 598, 599]) expect(digests[i]).toBeNull();
      expect(digests[3]).toBe(sha256('3'));
      expect(digests[596]).toBe(sha256('596'));
      expect((modes[1] as number) & 0o170000).toBe(0o010000); // the fifo, stated without a read
      expect((modes[597] as number) & 0o170000).toBe(0o040000);
    } finally {
      await tree.remove();
      await outside.remove();
    }
  },
  WORKER_TEST_TIMEOUT,
);
