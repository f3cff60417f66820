import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createButler, toRequest } from '@devops-butler/core';
import { removeRepoImages, useEngineFixture } from '@devops-butler/test-support';
import { afterEach, expect, test } from 'vitest';
import { dockerode } from './index.js';

const run = promisify(execFile);
const fx = useEngineFixture('classic-walk', ({ from }) => ({
  Dockerfile: `${from}COPY . /ctx/\n`,
  '.dockerignore': '*\n!**/keep.md\n',
  'keep.md': 'top\n',
  'b/keep.md': 'inside an ignored folder\n',
  'a/other.txt': 'ignored\n',
}));
afterEach(() => removeRepoImages(`${fx.repo}-docker`));

/** Every entry under /ctx, folders too (an empty folder docker leaves out must not appear). */
async function filesIn(image: string): Promise<string[]> {
  const { stdout } = await run('docker', ['run', '--rm', image, 'find', '/ctx']);
  return stdout.split('\n').filter(Boolean).sort();
}

test('with an exception like !**/keep.md, the image holds what docker build (classic builder) puts in it', async () => {
  const { stdout } = await run('docker', ['build', '-q', '-t', `${fx.repo}-docker:1`, fx.tree.dir], {
    env: { ...process.env, DOCKER_BUILDKIT: '0' },
  });
  const byDocker = await filesIn(stdout.trim());
  const result = await createButler({ plugins: [dockerode()], stateDir: fx.stateDir }).build(
    toRequest({ context: fx.tree.dir, repo: fx.repo, builder: 'classic' }),
  );
  expect(await filesIn(result.image.id)).toEqual(byDocker);
  expect(byDocker).toEqual(['/ctx', '/ctx/keep.md']);
  expect(result.notes.join('\n')).toMatch(
    /the classic builder does not enter ignored folders .* \(b, b\/keep\.md\)/,
  );
});
