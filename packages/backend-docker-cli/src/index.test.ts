import { readFileSync } from 'node:fs';
import { Butler, toRequest } from '@devops-butler/core';
import { makeTree } from '@devops-butler/test-support';
import { expect, test } from 'vitest';
import { dockerCli } from './index.js';

test('a docker binary that does not exist is one clear error, not a crash', async () => {
  const tree = await makeTree({ Dockerfile: 'FROM some/base:1\n' });
  try {
    const butler = new Butler({ plugins: [dockerCli({ binary: '/nonexistent/docker' })], stateDir: '' });
    await expect(butler.hash(toRequest({ context: tree.dir }))).rejects.toMatchObject({
      code: 'ENGINE_UNREACHABLE',
      plugin: 'butler:docker-cli',
      message: expect.stringMatching(/not installed/),
    });
  } finally {
    await tree.remove();
  }
});

test('rejects an empty binary name when the plugin is created', () => {
  expect(() => dockerCli({ binary: ' ' })).toThrow(/binary must not be empty/);
});

test('build-arg values reach docker through its environment, never its command line (ps shows that)', async () => {
  const tree = await makeTree({
    Dockerfile: 'FROM scratch\nARG NPM_TOKEN\n',
    // A stand-in docker: no image exists; a build records what it was given, then fails.
    'fake-docker': {
      mode: 0o755,
      content: `#!/bin/sh\nif [ "$1" = build ]; then echo "$*" > "$(dirname "$0")/argv"; printf %s "$NPM_TOKEN" > "$(dirname "$0")/env"; exit 1; fi\necho "Error: No such image: x" >&2; exit 1\n`,
    },
  });
  try {
    const butler = new Butler({ plugins: [dockerCli({ binary: `${tree.dir}/fake-docker` })], stateDir: '' });
    const request = toRequest({
      context: tree.dir,
      buildArgs: { NPM_TOKEN: 's3cret-token', HTTP_PROXY: 'http://p:3128' },
    });
    await expect(butler.build(request)).rejects.toThrow();
    const argv = readFileSync(`${tree.dir}/argv`, 'utf8');
    expect(argv).toContain('--build-arg NPM_TOKEN ');
    expect(argv).not.toContain('s3cret-token');
    expect(readFileSync(`${tree.dir}/env`, 'utf8')).toBe('s3cret-token');
    // A variable the CLI itself reads is not set in its environment: it stays an argument.
    expect(argv).toContain('--build-arg HTTP_PROXY=http://p:3128');
  } finally {
    await tree.remove();
  }
});

test('with the builder left to docker, BuildKit’s walk is sent and a note says where the classic one differs', async () => {
  const tree = await makeTree({
    Dockerfile: 'FROM scratch\nCOPY . /ctx/\n',
    '.dockerignore': '*\n!**/keep.md\n',
    'keep.md': 'top\n',
    'b/keep.md': 'inside\n',
  });
  try {
    const butler = new Butler({ plugins: [dockerCli({ binary: '/nonexistent/docker' })], stateDir: '' });
    const { context } = await butler.hash(toRequest({ context: tree.dir }));
    expect(context.files).toContain('b/keep.md');
    expect(context.notes.join('\n')).toMatch(
      /BuildKit's rule\); the classic builder would leave them out \(b, b\/keep\.md\)/,
    );
  } finally {
    await tree.remove();
  }
});
