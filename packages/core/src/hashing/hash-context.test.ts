import { chmodSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cp, mkdtemp, rm, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeTree } from '@devops-butler/test-support';
import { afterEach, expect, test, vi } from 'vitest';
import { hashContext } from './hash-context.js';

const APP = {
  Dockerfile: 'FROM scratch\nCOPY src/ /src/\nCOPY *.json /\n',
  'src/index.js': 'console.log(1)\n',
  'src/lib/util.js': 'export {}\n',
  'package.json': '{"name":"app"}\n',
  'notes.txt': 'not copied\n',
};
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});
async function tree(entries: typeof APP | Record<string, string>) {
  const t = await makeTree(entries);
  cleanups.push(t.remove);
  return t;
}

test('the same tree at another path hashes the same', async () => {
  const a = await tree(APP);
  const b = await tree(APP);
  const copy = await mkdtemp(join(tmpdir(), 'butler-copy-'));
  cleanups.push(() => rm(copy, { recursive: true, force: true }));
  await cp(a.dir, join(copy, 'nested'), { recursive: true });
  const digests = await Promise.all(
    [a.dir, b.dir, join(copy, 'nested')].map((context) => hashContext({ context })),
  );
  expect(new Set(digests.map((d) => d.digest)).size).toBe(1);
  expect(digests[0]?.tag).toBe(digests[0]?.digest.slice(0, 12));
});

test('lists and hashes only what the COPY lines reach', async () => {
  const a = await tree(APP);
  const { inputs } = await hashContext({ context: a.dir });
  expect(inputs.files.map((f) => f.path)).toEqual([
    'package.json',
    'src',
    'src/index.js',
    'src/lib',
    'src/lib/util.js',
  ]);
});

test('a warm stat cache gives the same hash, and an edit of the same size and mtime is still seen', async () => {
  const a = await tree(APP);
  const stateDir = await mkdtemp(join(tmpdir(), 'butler-state-'));
  cleanups.push(() => rm(stateDir, { recursive: true, force: true }));
  // Old timestamps put the files outside the racy window, so the cache really is used.
  const old = new Date(Date.now() - 60_000);
  await utimes(join(a.dir, 'src/index.js'), old, old);
  const cold = await hashContext({ context: a.dir, stateDir });
  const warm = await hashContext({ context: a.dir, stateDir });
  expect(warm.digest).toBe(cold.digest);
  await a.write({ 'src/index.js': 'console.log(2)\n' });
  await utimes(join(a.dir, 'src/index.js'), old, old);
  const edited = await hashContext({ context: a.dir, stateDir });
  expect(edited.digest).not.toBe(cold.digest);
});

test('declared build args, target and platform enter the hash', async () => {
  const a = await tree({ Dockerfile: 'FROM scratch AS one\nARG X\nFROM scratch AS two\n' });
  const base = await hashContext({ context: a.dir });
  const variants = await Promise.all([
    hashContext({ context: a.dir, buildArgs: { X: '1' } }),
    hashContext({ context: a.dir, buildArgs: { HTTP_PROXY: 'http://proxy:3128' } }),
    hashContext({ context: a.dir, target: 'one' }),
    hashContext({ context: a.dir, platform: 'linux/arm64' }),
  ]);
  for (const variant of variants) expect(variant.digest).not.toBe(base.digest);
});

test('falls back to the whole context when a COPY source uses an unset variable', async () => {
  const a = await tree({ ...APP, Dockerfile: 'FROM scratch\nCOPY $WHERE/ /src/\n' });
  const { hashed } = await hashContext({ context: a.dir });
  expect(hashed.context.wholeContext).toBe(true);
  expect(hashed.context.notes.join('\n')).toMatch(/WHERE/);
  expect(hashed.context.files).toContain('notes.txt');
});

test('a COPY source outside the context is an error that names the line', async () => {
  const a = await tree({ Dockerfile: 'FROM scratch\nCOPY ../secret /x\n' });
  await expect(hashContext({ context: a.dir })).rejects.toMatchObject({
    code: 'CONTEXT_INVALID',
    message: expect.stringMatching(/line 2.*outside the build context/),
  });
});

test('a missing Dockerfile is an error that says how to fix it', async () => {
  const a = await tree({ 'x.txt': '' });
  await expect(hashContext({ context: a.dir })).rejects.toMatchObject({ code: 'DOCKERFILE_MISSING' });
});

test('a COPY of a broken symlink is an error', async () => {
  const a = await makeTree({ Dockerfile: 'FROM scratch\nCOPY link /x\n', link: { symlink: 'nowhere' } });
  cleanups.push(a.remove);
  await expect(hashContext({ context: a.dir })).rejects.toMatchObject({
    message: expect.stringMatching(/broken symlink/),
  });
});

test('a build arg no ARG line declares cannot change the image, so it does not change the hash', async () => {
  const a = await tree({ Dockerfile: 'FROM scratch\nARG USED\n' });
  const base = await hashContext({ context: a.dir, buildArgs: { USED: 'x' } });
  const extra = await hashContext({ context: a.dir, buildArgs: { USED: 'x', UNUSED: 'y' } });
  expect(extra.digest).toBe(base.digest);
});

test('a file name that is not UTF-8 is one line that names it and says what to do', async () => {
  const t = await tree({ Dockerfile: 'FROM scratch\nCOPY . /app/\n', 'ok.txt': 'fine\n' });
  writeFileSync(
    Buffer.concat([Buffer.from(`${t.dir}/bad-`), Buffer.from([0xff, 0xfe]), Buffer.from('.txt')]),
    'x',
  );
  const error = await hashContext({ context: t.dir }).catch((e: unknown) => e);
  expect(error).toMatchObject({
    code: 'FILE_UNREADABLE',
    message: expect.stringMatching(
      /the name of ".*bad-\uFFFD+\.txt" in the build context is not valid UTF-8/,
    ),
    hint: expect.stringMatching(/rename it .* or add it to \.dockerignore/),
  });
  // Ignored, it is not read at all.
  await t.write({ '.dockerignore': 'bad-*\n' });
  await expect(hashContext({ context: t.dir })).resolves.toBeDefined();
});

test('a folder hashed for the first time and the same folder from its stat cache give the same entries', async () => {
  const a = await makeTree({
    Dockerfile: 'FROM scratch\nCOPY . /app/\n',
    'run.sh': '#!/bin/sh\necho hi\n',
    'src/a.txt': 'a',
    'src/empty/.keep': '',
    link: { symlink: 'src/a.txt' },
  });
  cleanups.push(a.remove);
  const stateDir = await mkdtemp(join(tmpdir(), 'butler-state-'));
  cleanups.push(() => rm(stateDir, { recursive: true, force: true }));
  chmodSync(join(a.dir, 'run.sh'), 0o755);
  // A clock a minute ahead puts the files outside the racy window, so the cache keeps them.
  vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 60_000 });
  let cold: Awaited<ReturnType<typeof hashContext>>;
  let warm: typeof cold;
  try {
    cold = await hashContext({ context: a.dir, stateDir });
    const [cacheFile] = readdirSync(join(stateDir, 'stat-cache'));
    // Its header counts the entries: the four files, which the second run states and finds there.
    expect(readFileSync(join(stateDir, 'stat-cache', cacheFile as string)).readUInt32LE(4)).toBe(4);
    warm = await hashContext({ context: a.dir, stateDir });
  } finally {
    vi.useRealTimers();
  }
  expect(warm.inputs.files).toEqual(cold.inputs.files);
  expect(warm.digest).toBe(cold.digest);
  expect(cold.inputs.files).toEqual([
    { path: 'Dockerfile', type: 'file', executable: false, size: 26, sha256: expect.any(String) },
    { path: 'link', type: 'symlink', executable: false, size: 0, linkTarget: 'src/a.txt' },
    { path: 'run.sh', type: 'file', executable: true, size: 18, sha256: expect.any(String) },
    { path: 'src', type: 'dir', executable: false, size: 0 },
    { path: 'src/a.txt', type: 'file', executable: false, size: 1, sha256: expect.any(String) },
    { path: 'src/empty', type: 'dir', executable: false, size: 0 },
    { path: 'src/empty/.keep', type: 'file', executable: false, size: 0, sha256: expect.any(String) },
  ]);
});
