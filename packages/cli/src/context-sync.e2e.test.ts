import { execFile } from 'node:child_process';
import { readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { removeRepoImages, useEngineFixture } from '@devops-butler/test-support';
import { afterEach, expect, test } from 'vitest';
import { runButler } from './cli-runner.fixture.js';

const run = promisify(execFile);
// The reference: Debian's 20.10 CLI builds with the engine's BuildKit under DOCKER_BUILDKIT=1.
const REFERENCE_DOCKER = '/usr/bin/docker';

// BuildKit pulls the context through the build's session: after the first build of a folder, only
// the files whose stat moved travel.
const fx = useEngineFixture('context-sync', ({ from }) => ({
  Dockerfile: `${from}COPY . /ctx/\n`,
  '.dockerignore': 'Dockerfile\n',
  'src/a.txt': 'alpha v1\n',
  'src/b.txt': 'bravo v1\n',
  'src/deep/c.txt': 'charlie v1\n',
  'z.txt': 'zulu v1\n',
}));
afterEach(() => removeRepoImages(`${fx.repo}-docker`));

async function build(...args: string[]) {
  const { stdout } = await runButler(['build', fx.tree.dir, '--repo', fx.repo, '--json', ...args], {
    env: { ...process.env, BUTLER_STATE_DIR: fx.stateDir },
    reject: true,
  });
  return JSON.parse(stdout);
}

async function fileInImage(image: string, path: string): Promise<string> {
  const { stdout } = await run('docker', ['run', '--rm', '--entrypoint', 'cat', image, path]);
  return stdout;
}

test('after the first build of a folder, a changed file is the only one sent, and the image has its new bytes', async () => {
  const first = await build();
  expect(first.outcome).toBe('built');
  // .dockerignore, src/a.txt, src/b.txt, src/deep/c.txt, z.txt: every file, the first time.
  expect(first.image.contextTransfer).toMatchObject({ files: 5, of: 5 });

  await writeFile(join(fx.tree.dir, 'src/b.txt'), 'bravo v2, longer\n');
  const second = await build();
  expect(second.outcome).toBe('built');
  expect(second.image.contextTransfer).toEqual({ files: 1, bytes: 'bravo v2, longer\n'.length, of: 5 });
  expect(await fileInImage(second.image.id, '/ctx/src/b.txt')).toBe('bravo v2, longer\n');
  expect(await fileInImage(second.image.id, '/ctx/src/deep/c.txt')).toBe('charlie v1\n');

  // Printed for people too.
  await writeFile(join(fx.tree.dir, 'z.txt'), 'zulu v2\n');
  const { stdout } = await runButler(['build', fx.tree.dir, '--repo', fx.repo], {
    env: { ...process.env, BUTLER_STATE_DIR: fx.stateDir },
    reject: true,
  });
  expect(stdout).toContain(
    '📤 Context: 1 of 5 files sent (8 B); BuildKit kept the rest from the last build of this folder',
  );
}, 120_000);

test('a file rewritten with its old size and mtime is sent again: the image never holds the bytes the hash replaced', async () => {
  const file = join(fx.tree.dir, 'src/a.txt');
  // An old mtime, so the stat cache may keep the file (nothing "racily clean" about it).
  const old = new Date('2024-01-02T03:04:05Z');
  await utimes(file, old, old);
  const first = await build();
  expect(first.outcome).toBe('built');

  // Same length, same mtime, other bytes: what a restored archive or `touch -r` leaves. BuildKit
  // compares stats only; the hash (its stat cache sees the ctime move) says new bytes.
  const before = await stat(file);
  await writeFile(file, 'ALPHA v1\n');
  await utimes(file, before.atime, before.mtime);
  expect((await stat(file)).mtimeMs).toBe(before.mtimeMs);
  const second = await build();
  expect(second.outcome).toBe('built');
  expect(second.target.tag).not.toBe(first.target.tag);
  expect(await fileInImage(second.image.id, '/ctx/src/a.txt')).toBe('ALPHA v1\n');
  expect(second.image.contextTransfer.files).toBe(5);
}, 120_000);

test('the Dockerfile travels beside the context, as with docker build: an ignored Dockerfile is not copied by COPY .', async () => {
  const result = await build();
  const { stdout } = await run(REFERENCE_DOCKER, ['build', '-q', '-t', `${fx.repo}-docker:1`, fx.tree.dir], {
    env: { ...process.env, DOCKER_BUILDKIT: '1' },
  });
  const list = async (image: string) =>
    (await run('docker', ['run', '--rm', '--entrypoint', 'find', image, '/ctx'])).stdout.split('\n').sort();
  const ours = await list(result.image.id);
  expect(ours).toEqual(await list(stdout.trim()));
  expect(ours).not.toContain('/ctx/Dockerfile');
  expect(result.notes.join('\n')).not.toMatch(/Dockerfile is not part of the context/);
  expect(await readFile(join(fx.tree.dir, 'Dockerfile'), 'utf8')).toContain('COPY . /ctx/');
}, 120_000);

test('a file added deep in a folder after a hit is built into the image, with the walk’s listing remembered', async () => {
  // Folders changed in the last 2 s are not trusted, so the listing is kept only once they age.
  await new Promise((resolve) => setTimeout(resolve, 2_100));
  const first = await build();
  expect(first.outcome).toBe('built');
  expect((await build()).outcome).toBe('reused'); // from the remembered listing

  await writeFile(join(fx.tree.dir, 'src/deep/new.txt'), 'new file\n');
  const added = await build();
  expect(added.outcome).toBe('built');
  expect(await fileInImage(added.image.id, '/ctx/src/deep/new.txt')).toBe('new file\n');

  await rm(join(fx.tree.dir, 'src/deep/new.txt'));
  const removed = await build();
  expect(removed.outcome).toBe('reused');
  expect(removed.target.tag).toBe(first.target.tag);
}, 120_000);
