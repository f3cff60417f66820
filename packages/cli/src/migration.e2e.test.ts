import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { OWNER_LABEL, removeRepoImages, repoTags, useEngineFixture } from '@devops-butler/test-support';
import { afterEach, expect, test } from 'vitest';
import { runButler } from './cli-runner.fixture.js';

const run = promisify(execFile);
const fx = useEngineFixture('migration', ({ repo }) => ({
  Dockerfile: `FROM butler-test/busybox:latest\nLABEL ${OWNER_LABEL}=${repo}\nCOPY n /n\n`,
  n: '0',
}));
const containers: string[] = [];
const others: string[] = [];
afterEach(async () => {
  if (containers.length > 0) await run('docker', ['rm', '-f', ...containers.splice(0)]);
  for (const reference of others.splice(0)) await removeRepoImages(reference);
});

const butler = (...args: string[]) =>
  runButler(args, {
    cwd: fx.tree.dir,
    env: { ...process.env, BUTLER_STATE_DIR: fx.stateDir, BUTLER_IMAGE_KEEP_COUNT: '' },
    reject: true,
  });

/** What the earlier tool left: plain `docker build`, tagged `local-registry/{repo}:{12 hex}`. */
async function legacyImage(n: number, ...extraTags: string[]): Promise<string> {
  await fx.tree.write({ n: String(n) });
  const tag = `local-registry/${fx.repo}:${String(n).repeat(12)}`;
  const { stdout } = await run(
    'docker',
    ['build', '-q', '-t', tag, ...extraTags.flatMap((t) => ['-t', t]), '.'],
    {
      cwd: fx.tree.dir,
      env: { ...process.env, DOCKER_BUILDKIT: '0' },
    },
  );
  // One second apart: their creation times order them.
  await new Promise((r) => setTimeout(r, 1100));
  return stdout.trim();
}

test("images from before Butler's labels: listed and counted, left alone by the automatic cleanup, organised by gc", async () => {
  const oldest = await legacyImage(1);
  const second = await legacyImage(2);
  const third = await legacyImage(3);
  const newest = await legacyImage(4, `local-registry/${fx.repo}:latest`);
  // Not the earlier tool's: a tag that is not 12 hex digits, and another registry part.
  const foreign = await legacyImage(
    5,
    `local-registry/${fx.repo}:v1.2.3`,
    `elsewhere/${fx.repo}:555555555555`,
  );
  others.push(`elsewhere/${fx.repo}`);
  await run('docker', ['rmi', `local-registry/${fx.repo}:555555555555`]);
  const { stdout: stopped } = await run('docker', ['create', oldest, 'true']);
  containers.push(stopped.trim());

  const listed = JSON.parse((await butler('list', '--repo', fx.repo, '--json')).stdout);
  expect(listed.images.map((i: { id: string; beforeLabels: boolean }) => [i.id, i.beforeLabels])).toEqual([
    [newest, true],
    [third, true],
    [second, true],
    [oldest, true],
  ]);
  expect((await butler('list', '--repo', fx.repo)).stdout).toContain("* made before Butler's labels");
  const stats = JSON.parse((await butler('stats', '--repo', fx.repo, '--json')).stdout);
  expect(stats.repositories[0].disk).toMatchObject({ images: 4, beforeLabels: 4 });

  // A build cleans up after itself (keep 3) but does not touch what nobody asked it to organise.
  await fx.tree.write({ n: 'butler' });
  await butler('build', '.', '--repo', fx.repo);
  for (const id of [oldest, second, third, newest]) await run('docker', ['image', 'inspect', id]);

  // By hand, gc applies the keep rule to them too: newest first, never one a container uses.
  const { stdout } = await butler('gc', '--repo', fx.repo, '--keep', '2');
  expect(stdout).toContain("2 images from before Butler's labels removed");
  const gone = async (id: string) =>
    run('docker', ['image', 'inspect', id]).then(
      () => false,
      () => true,
    );
  expect(await gone(second)).toBe(true);
  expect(await gone(third)).toBe(true);
  expect(await gone(newest)).toBe(false); // the two newest: the Butler image and this one
  expect(await gone(oldest)).toBe(false); // a stopped container uses it
  expect(await gone(foreign)).toBe(false);
  expect(await repoTags(`local-registry/${fx.repo}`)).toContain('v1.2.3');
});
