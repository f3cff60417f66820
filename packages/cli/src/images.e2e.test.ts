import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { removeRepoImages, repoTags, useEngineFixture } from '@devops-butler/test-support';
import { afterEach, expect, test } from 'vitest';
import { butlerBin as bin } from './cli-runner.fixture.js';

const run = promisify(execFile);

// base ← api (FROM the base image of the same config); web stands alone.
const fx = useEngineFixture('images', ({ from, repo }) => ({
  'butler.config.json': JSON.stringify({
    concurrency: 2,
    images: [
      { name: `${repo}-api`, context: 'api' },
      { name: `${repo}-web`, context: 'web' },
      { name: `${repo}-base`, context: 'base' },
    ],
  }),
  'base/Dockerfile': `${from}COPY shared.txt /shared.txt\n`,
  'base/shared.txt': 'v1\n',
  'api/Dockerfile': `FROM local-registry/${repo}-base:latest\nCOPY api.txt /api.txt\n`,
  'api/api.txt': 'api\n',
  'web/Dockerfile': `${from}COPY web.txt /web.txt\n`,
  'web/web.txt': 'web\n',
}));

// The fixture removes local-registry/<repo>; these images are <repo>-api, -web and -base.
afterEach(async () => {
  for (const suffix of ['api', 'web', 'base']) await removeRepoImages(`local-registry/${fx.repo}-${suffix}`);
});

const buildAll = async (...names: string[]) => {
  const { stdout } = await run('node', [bin, 'build', ...names, '--json', '--no-cleanup'], {
    cwd: fx.tree.dir,
    env: { ...process.env, BUTLER_STATE_DIR: fx.stateDir },
  });
  return Object.fromEntries(
    (JSON.parse(stdout).images as { name: string; outcome: string; target: { tag: string } }[]).map((r) => [
      r.name.slice(fx.repo.length + 1),
      r,
    ]),
  );
};

test('a multi-image config builds every image, a parent before the image built FROM it', async () => {
  const first = await buildAll();
  expect(Object.keys(first).sort()).toEqual(['api', 'base', 'web']);
  expect(Object.values(first).map((r) => r.outcome)).toEqual(['built', 'built', 'built']);

  // Only the base's input changes: base is rebuilt, and so is api, whose hash holds base's image ID.
  await fx.tree.write({ 'base/shared.txt': 'v2\n' });
  const second = await buildAll();
  expect(second.base?.outcome).toBe('built');
  expect(second.api?.outcome).toBe('built');
  expect(second.api?.target.tag).not.toBe(first.api?.target.tag);
  expect(second.web?.outcome).toBe('reused');

  // Only base is rebuilt by name: `why api` names the new identity of the image api is built FROM.
  await fx.tree.write({ 'base/shared.txt': 'v3\n' });
  await buildAll(`${fx.repo}-base`);
  const { stdout: why } = await run('node', [bin, 'why', `${fx.repo}-api`], {
    cwd: fx.tree.dir,
    env: { ...process.env, BUTLER_STATE_DIR: fx.stateDir },
  });
  expect(why).toMatch(
    new RegExp(`base image local-registry/${fx.repo}-base:latest: sha256:[0-9a-f]{64} → sha256:[0-9a-f]{64}`),
  );

  // Naming images builds only those.
  const named = await buildAll(`${fx.repo}-web`);
  expect(Object.keys(named)).toEqual(['web']);
});

test("an image's own keep count rules the cleanup after its build and butler gc", async () => {
  const config = JSON.parse(readFileSync(join(fx.tree.dir, 'butler.config.json'), 'utf8'));
  config.images[1].retention = { keep: 1 };
  writeFileSync(join(fx.tree.dir, 'butler.config.json'), JSON.stringify(config));
  const env = { ...process.env, BUTLER_STATE_DIR: fx.stateDir };
  const hashTags = async () =>
    (await repoTags(`local-registry/${fx.repo}-web`)).filter((tag) => tag !== 'latest');
  const buildWeb = async (content: string, ...flags: string[]) => {
    writeFileSync(join(fx.tree.dir, 'web/web.txt'), content);
    const { stdout } = await run('node', [bin, 'build', `${fx.repo}-web`, '--json', ...flags], {
      cwd: fx.tree.dir,
      env,
    });
    return JSON.parse(stdout).images[0].target.tag as string;
  };
  // Three versions kept by --no-cleanup; butler gc then applies the image's keep 1 (default 3).
  for (const version of ['v1', 'v2', 'v3']) await buildWeb(`${version}\n`, '--no-cleanup');
  expect(await hashTags()).toHaveLength(3);
  await run('node', [bin, 'gc', '--repo', `${fx.repo}-web`, '--json'], { cwd: fx.tree.dir, env });
  expect(await hashTags()).toHaveLength(1);
  // The cleanup after a build applies it too: the newest alone stays.
  const newest = await buildWeb('v4\n');
  expect(await hashTags()).toEqual([newest]);
});
