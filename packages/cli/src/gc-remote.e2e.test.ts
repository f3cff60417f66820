import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseRegistry, RegistryClient } from '@devops-butler/registry-cache';
import {
  freePort,
  OWNER_LABEL,
  removeRepoImages,
  repoRoot,
  useEngineFixture,
  useRegistryLab,
} from '@devops-butler/test-support';
import { afterEach, expect, test } from 'vitest';
import { butlerBin as bin, runButler } from './cli-runner.fixture.js';

const run = promisify(execFile);

const lab = useRegistryLab({ secondEngine: false });
const fx = useEngineFixture('gc-remote', ({ repo }) => ({
  Dockerfile: `FROM scratch\nLABEL ${OWNER_LABEL}=${repo}\nCOPY app.txt /app.txt\n`,
  'app.txt': 'v1\n',
}));

const registry = () => `${lab.registryHost}/team`;
const image = () => `${registry()}/${fx.repo}`;
afterEach(async () => {
  await removeRepoImages(image());
});

function butler(...args: string[]) {
  return runButler(args, {
    env: { ...process.env, BUTLER_STATE_DIR: fx.stateDir, BUTLER_REGISTRY: registry() },
    cwd: fx.tree.dir,
    reject: true,
  });
}

/** Builds and pushes one version; resolves with its tag. */
async function pushVersion(content: string): Promise<string> {
  await fx.tree.write({ 'app.txt': content });
  const { stdout } = await butler(
    'build',
    '.',
    '--repo',
    fx.repo,
    '--no-cleanup',
    '--json',
    '--require-push',
  );
  return (JSON.parse(stdout) as { target: { tag: string } }).target.tag;
}

const tags = async () =>
  (await new RegistryClient(parseRegistry(registry()), undefined).tags(`team/${fx.repo}`)).sort();

test('gc --remote keeps the newest N per repository, never latest, never an image Butler did not build or someone else tagged', async () => {
  const versions: string[] = [];
  for (const content of ['v1\n', 'v2\n', 'v3\n', 'v4\n']) versions.push(await pushVersion(content));
  const [v1, v2, v3, v4] = versions as [string, string, string, string];
  // Someone else's image in the same repository.
  await run('docker', ['tag', 'butler-test/busybox:latest', `${image()}:theirs`]);
  await run('docker', ['push', `${image()}:theirs`]);
  // A release tag someone put on Butler's oldest image: deleting that manifest would delete it too.
  await run('docker', ['tag', `${image()}:${v1}`, `${image()}:prod`]);
  await run('docker', ['push', `${image()}:prod`]);
  const everything = [v1, v2, v3, v4, 'latest', 'theirs', 'prod'].sort();
  expect(await tags()).toEqual(everything);

  // By default nothing younger than 24 h goes: other machines may be running it right now.
  const young = JSON.parse(
    (await butler('gc', '--remote', '--repo', fx.repo, '--keep', '2', '--json')).stdout,
  );
  expect(young.removed).toEqual([]);
  expect(young.kept).toContainEqual(
    expect.objectContaining({ reason: 'younger than 24h (other machines may be using it)' }),
  );
  expect(await tags()).toEqual(everything);

  const plan = JSON.parse(
    (
      await butler(
        'gc',
        '--remote',
        '--repo',
        fx.repo,
        '--keep',
        '2',
        '--min-age',
        '0s',
        '--dry-run',
        '--json',
      )
    ).stdout,
  );
  expect(plan).toMatchObject({ registry: registry(), dryRun: true, foreign: 1 });
  expect(plan.removed.map((e: { tags: string[] }) => e.tags.map((t) => t.split(':').pop()))).toEqual([[v2]]);
  expect(plan.kept).toContainEqual(expect.objectContaining({ reason: 'also tagged prod (not by Butler)' }));
  expect(await tags()).toEqual(everything); // a dry run deletes nothing

  const { stdout } = await butler('gc', '--remote', '--repo', fx.repo, '--keep', '2', '--min-age', '0s');
  expect(stdout).toContain(`deleted  ${image()}:${v2}@`);
  expect(stdout).toContain(
    `Deleted 1 image(s) from ${registry()}, kept 3; 1 tag(s) of images Butler did not build left alone.`,
  );
  expect(await tags()).toEqual([v1, 'prod', v3, v4, 'latest', 'theirs'].sort());

  // Keep nothing: the image latest points to still stays.
  const none = JSON.parse(
    (await butler('gc', '--remote', '--repo', fx.repo, '--keep', '0', '--min-age', '0s', '--json')).stdout,
  );
  expect(none.kept.map((e: { reason: string }) => e.reason)).toEqual([
    'latest',
    'also tagged prod (not by Butler)',
  ]);
  expect(await tags()).toEqual([v1, 'prod', v4, 'latest', 'theirs'].sort());
});

test('a registry that does not allow deletes is one clear error, and gc --remote without a registry a usage error', async () => {
  const dir = await mkdtemp('/tmp/butler-registry-nodelete-');
  const port = await freePort();
  const scripts = join(repoRoot(), 'scripts');
  await run('bash', [join(scripts, 'registry.sh'), 'start', dir, String(port)], {
    env: { ...process.env, REGISTRY_STORAGE_DELETE_ENABLED: 'false' },
  });
  try {
    const locked = `127.0.0.1:${port}/team`;
    for (const content of ['a\n', 'b\n']) {
      await fx.tree.write({ 'app.txt': content });
      await run('node', [bin, 'build', '.', '--repo', fx.repo, '--no-cleanup', '--registry', locked], {
        env: { ...process.env, BUTLER_STATE_DIR: fx.stateDir },
        cwd: fx.tree.dir,
      });
    }
    await expect(
      butler('gc', '--remote', '--registry', locked, '--repo', fx.repo, '--keep', '0', '--min-age', '0s'),
    ).rejects.toMatchObject({
      code: 1,
      stderr: `✖ 127.0.0.1:${port} does not allow deletes — enable them in the registry (Distribution: storage.delete.enabled: true, or REGISTRY_STORAGE_DELETE_ENABLED=true)\n`,
    });
    await removeRepoImages(`${locked}/${fx.repo}`);
  } finally {
    await run('bash', [join(scripts, 'registry.sh'), 'stop', dir]);
    await rm(dir, { recursive: true, force: true });
  }
  await expect(
    run('node', [bin, 'gc', '--remote'], {
      env: { ...process.env, BUTLER_STATE_DIR: fx.stateDir },
      cwd: fx.tree.dir,
    }),
  ).rejects.toMatchObject({
    code: 2,
    stderr:
      '✖ butler gc --remote needs a registry: --registry host[:port]/namespace, BUTLER_REGISTRY or registry in the config\n',
  });
});
