import { Readable } from 'node:stream';
import { makeTree } from '@devops-butler/test-support';
import { expect, test } from 'vitest';
import { runDocker } from './docker-process.js';

test('a context stream that fails half-way stops docker: the build never waits for the rest', async () => {
  // A stand-in docker that reads its stdin to the end, as `docker build -` does.
  const tree = await makeTree({
    'fake-docker': { mode: 0o755, content: '#!/bin/sh\ncat > /dev/null\necho done\n' },
  });
  try {
    const input = new Readable({ read() {} });
    input.push(Buffer.alloc(64 * 1024));
    setTimeout(() => input.destroy(new Error('server.js changed after it was hashed')), 50);
    const run = await runDocker(`${tree.dir}/fake-docker`, ['build', '-'], { input });
    expect(run.exitCode).not.toBe(0);
    expect(run.stdout).not.toContain('done');
  } finally {
    await tree.remove();
  }
});

test('what docker printed comes back without its last newline, and in the order it came', async () => {
  const tree = await makeTree({
    'fake-docker': { mode: 0o755, content: '#!/bin/sh\necho one\necho two >&2\necho three\nexit 3\n' },
  });
  try {
    const lines: string[] = [];
    const run = await runDocker(`${tree.dir}/fake-docker`, ['version'], {
      onOutput: (chunk) => lines.push(chunk.toString()),
    });
    expect(run).toMatchObject({
      command: `${tree.dir}/fake-docker version`,
      exitCode: 3,
      stdout: 'one\nthree',
      stderr: 'two',
    });
    expect(run.all.split('\n').sort()).toEqual(['one', 'three', 'two']);
    expect(lines.join('')).toContain('one');
  } finally {
    await tree.remove();
  }
});

test('a docker that is not there is told, not thrown', async () => {
  const run = await runDocker('/nonexistent/docker', ['version']);
  expect(run.exitCode).toBeUndefined();
  expect(run.spawnError?.code).toBe('ENOENT');
});
