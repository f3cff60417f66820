import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { removeRepoImages, repoTags, useEngineFixture } from '@devops-butler/test-support';
import { expect, test } from 'vitest';
import { runButler } from './cli-runner.fixture.js';

const run = promisify(execFile);
const fx = useEngineFixture('cli-gc', ({ from }) => ({ Dockerfile: `${from}COPY n /n\n`, n: '0' }));

async function butler(args: string[], env: NodeJS.ProcessEnv = {}) {
  const { stdout } = await runButler(args, {
    cwd: fx.tree.dir,
    env: { ...process.env, BUTLER_STATE_DIR: fx.stateDir, ...env },
    reject: true,
  });
  return stdout;
}

const tags = () => repoTags(`local-registry/${fx.repo}`);

async function buildTimes(count: number, extra: string[] = []): Promise<void> {
  for (let i = 1; i <= count; i++) {
    await fx.tree.write({ n: String(i) });
    await butler(['build', '.', '--repo', fx.repo, ...extra]);
  }
}

test('keep precedence: --keep beats BUTLER_IMAGE_KEEP_COUNT beats the repository override beats the global keep', async () => {
  await buildTimes(5, ['--no-cleanup']);
  await fx.tree.write({
    'butler.config.json': JSON.stringify({
      retention: { keep: 4, repos: { [fx.repo]: { keep: 3 }, 'nothing-*': { keep: 1 } } },
    }),
  });
  const wouldRemove = async (args: string[], env: NodeJS.ProcessEnv = {}) =>
    JSON.parse(await butler(['gc', '--repo', fx.repo, '--dry-run', '--json', ...args], env)).removed.length;
  expect(await wouldRemove([])).toBe(2);
  expect(await wouldRemove([], { BUTLER_IMAGE_KEEP_COUNT: '2' })).toBe(3);
  expect(await wouldRemove(['--keep', '1'], { BUTLER_IMAGE_KEEP_COUNT: '2' })).toBe(4);
  await fx.tree.write({ 'butler.config.json': JSON.stringify({ retention: { keep: 4 } }) });
  expect(await wouldRemove([])).toBe(1);
  expect((await tags()).length).toBe(6); // five hash tags and latest: a dry run removed nothing
});

test('every build cleans up its repository: after five builds the three newest remain', async () => {
  await buildTimes(5);
  const remaining = await tags();
  expect(remaining).toHaveLength(4); // three hash tags, one of them also tagged latest
  expect(remaining).toContain('latest');
});

test('butler cleanup is gc, and reports what it removed and the bytes reclaimed', async () => {
  await buildTimes(3, ['--no-cleanup']);
  const out = await butler(['cleanup', '--repo', fx.repo, '--keep', '1']);
  expect(out).toMatch(/removed .*\(over count\)/);
  expect(out).toMatch(/Removed 2 image\(s\), .* reclaimed; kept 1\./);
});

test('force-rebuild removes unused images, keeps the one a container uses, and the next build is a miss', async () => {
  await buildTimes(2, ['--no-cleanup']);
  const { stdout: latestId } = await run('docker', [
    'image',
    'inspect',
    '--format',
    '{{.Id}}',
    `local-registry/${fx.repo}:latest`,
  ]);
  const { stdout: container } = await run('docker', ['create', latestId.trim(), 'true']);
  try {
    await butler(['force-rebuild', fx.repo]);
    expect(await tags()).toHaveLength(2); // the in-use image keeps its hash tag and latest; the other went
    const next = JSON.parse(await butler(['build', '.', '--repo', fx.repo, '--json', '--no-cleanup']));
    expect(next.outcome).toBe('forced');
    const again = JSON.parse(await butler(['build', '.', '--repo', fx.repo, '--json', '--no-cleanup']));
    expect(again.outcome).toBe('reused');
  } finally {
    await run('docker', ['rm', container.trim()]);
  }
});

test('force-rebuild of a repository with a slash in its name writes its marker, and the next build is forced', async () => {
  const repo = `${fx.repo}-team/app`;
  try {
    await butler(['build', '.', '--repo', repo, '--no-cleanup']);
    await butler(['force-rebuild', repo]);
    expect(await repoTags(`local-registry/${repo}`)).toEqual([]);
    const next = JSON.parse(await butler(['build', '.', '--repo', repo, '--json', '--no-cleanup']));
    expect(next.outcome).toBe('forced');
  } finally {
    await removeRepoImages(`local-registry/${repo}`);
  }
});

test('the image a forced build replaced (left untagged) is removed by gc: Butler built it here', async () => {
  await buildTimes(1, ['--no-cleanup']);
  const before = JSON.parse(await butler(['build', '.', '--repo', fx.repo, '--json', '--no-cleanup']));
  const forced = JSON.parse(
    await butler(['build', '.', '--repo', fx.repo, '--json', '--no-cleanup', '--force']),
  );
  expect(forced.image.id).not.toBe(before.image.id);
  const report = JSON.parse(await butler(['gc', '--repo', fx.repo, '--keep', '1', '--json']));
  expect(report.removed.map((e: { id: string }) => e.id)).toEqual([before.image.id]);
  await expect(run('docker', ['image', 'inspect', before.image.id])).rejects.toThrow();
});
