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
