import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeTree } from '@devops-butler/test-support';
import { afterEach, expect, test } from 'vitest';
import type { BuildJob, InputFile } from '../kernel/types.js';
import { contextSyncFor, type SyncEntry } from './context-sync.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

const FILES: Record<string, string> = {
  'a.txt': 'a\n',
  'a/b.txt': 'b\n',
  'a/deep/c.txt': 'c\n',
  'b/d.txt': 'd\n',
  '.dockerignore': 'secret/\n',
  'secret/key': 'never hashed, never sent\n',
};

/** A build job as the kernel hands it to a backend: the hashed list and each file's digest. */
async function jobFor(files: Record<string, string>, hashed: string[]): Promise<BuildJob> {
  const tree = await makeTree({ ...files, Dockerfile: 'FROM scratch\nCOPY . /\n' });
  cleanups.push(() => tree.remove());
  const inputs: InputFile[] = hashed.map((path) => {
    const content = files[path] as string;
    return {
      path,
      type: 'file',
      executable: false,
      size: Buffer.byteLength(content),
      sha256: createHash('sha256').update(content).digest('hex'),
    };
  });
  return {
    context: {
      request: { context: tree.dir },
      files: hashed,
      dockerfileText: 'FROM scratch\nCOPY . /\n# the hashed text, not the file on disk\n',
    },
    inputs: { files: inputs },
  } as unknown as BuildJob;
}

const paths = (entries: readonly SyncEntry[] | undefined) => entries?.map((entry) => entry.stat.path);
const bytes = (entry: SyncEntry | undefined) => Buffer.concat([...(entry?.read?.() ?? [])]).toString();

test("the context is the hashed files and the folders above them, in fsutil's order; nothing else is offered", async () => {
  const job = await jobFor(FILES, ['.dockerignore', 'a.txt', 'a/b.txt', 'a/deep/c.txt', 'b/d.txt']);
  const sync = await contextSyncFor(job, undefined);
  const all = { name: 'context', includePatterns: [], followPaths: [] };
  // A folder comes before what it holds, siblings by name: `a/…` before `a.txt`.
  expect(paths(sync.folders(all))).toEqual([
    '.dockerignore',
    'a',
    'a/b.txt',
    'a/deep',
    'a/deep/c.txt',
    'a.txt',
    'b',
    'b/d.txt',
  ]);
  const entries = sync.folders(all) ?? [];
  expect(entries.find((e) => e.stat.path === 'a')?.read).toBeUndefined();
  expect(bytes(entries.find((e) => e.stat.path === 'a/deep/c.txt'))).toBe('c\n');
  expect(sync.folders({ name: 'elsewhere', includePatterns: [], followPaths: [] })).toBeUndefined();
});

test("the frontend's patterns narrow the context (its .dockerignore lookup); the Dockerfile is the hashed text", async () => {
  const job = await jobFor(FILES, ['.dockerignore', 'a.txt', 'a/b.txt', 'a/deep/c.txt', 'b/d.txt']);
  const sync = await contextSyncFor(job, undefined);
  expect(
    paths(sync.folders({ name: 'context', includePatterns: ['.dockerignore'], followPaths: [] })),
  ).toEqual(['.dockerignore']);
  expect(paths(sync.folders({ name: 'context', includePatterns: ['a/deep'], followPaths: [] }))).toEqual([
    'a',
    'a/deep',
    'a/deep/c.txt',
  ]);
  const dockerfile = sync.folders({ name: 'dockerfile', includePatterns: [], followPaths: ['Dockerfile'] });
  expect(paths(dockerfile)).toEqual([sync.dockerfile]);
  expect(bytes(dockerfile?.[0])).toBe(job.context.dockerfileText);
  expect(dockerfile?.[0]?.stat.size).toBe(Buffer.byteLength(job.context.dockerfileText));
});

test('a file whose bytes changed after hashing fails when read, after its last chunk; the failure is kept', async () => {
  const job = await jobFor(FILES, ['a.txt', 'b/d.txt']);
  await writeFile(join(job.context.request.context, 'a.txt'), 'A\n'); // same size, other bytes
  const sync = await contextSyncFor(job, undefined);
  const entry = sync
    .folders({ name: 'context', includePatterns: [], followPaths: [] })
    ?.find((e) => e.stat.path === 'a.txt');
  const chunks: string[] = [];
  expect(() => {
    for (const chunk of entry?.read?.() ?? []) chunks.push(Buffer.from(chunk).toString());
  }).toThrow(/"a.txt" changed after it was hashed \(its content\)/);
  expect(chunks).toEqual(['A\n']);
  expect(sync.failure()?.message).toMatch(/changed after it was hashed/);
  expect(sync.transfer()).toEqual({ files: 1, bytes: 2, of: 2 });
});

test('a file that changed size, or was removed, since hashing stops the sync before it starts', async () => {
  const job = await jobFor(FILES, ['a.txt', 'b/d.txt']);
  await writeFile(join(job.context.request.context, 'a.txt'), 'longer now\n');
  await expect(contextSyncFor(job, undefined)).rejects.toThrow(
    /"a.txt" changed after it was hashed \(its size\)/,
  );
  await writeFile(join(job.context.request.context, 'a.txt'), 'a\n');
  await rm(join(job.context.request.context, 'b/d.txt'));
  await expect(contextSyncFor(job, undefined)).rejects.toThrow(
    /"b\/d.txt" changed after it was hashed \(it was removed\)/,
  );
});

test('the same folder and files keep their shared key; a file back at an old stat with other bytes gets a new one', async () => {
  const state = await mkdtemp(join(tmpdir(), 'butler-state-'));
  cleanups.push(() => rm(state, { recursive: true, force: true }));
  const job = await jobFor(FILES, ['a.txt', 'b/d.txt']);
  const first = await contextSyncFor(job, state);
  expect((await contextSyncFor(job, state)).sharedKey).toBe(first.sharedKey);
  // Without a state folder, no key is reused: nothing can vouch for what BuildKit kept.
  expect((await contextSyncFor(job, undefined)).sharedKey).not.toBe(
    (await contextSyncFor(job, undefined)).sharedKey,
  );
  // The hash now says other bytes for the same stat (as after a rewrite that kept size and mtime).
  const inputs = job.inputs.files.map((file) =>
    file.path === 'a.txt' ? { ...file, sha256: '0'.repeat(64) } : file,
  );
  const rewritten = await contextSyncFor({ ...job, inputs: { ...job.inputs, files: inputs } }, state);
  expect(rewritten.sharedKey).not.toBe(first.sharedKey);
});
