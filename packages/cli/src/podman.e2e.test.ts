import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot, uniqueRepo } from '@devops-butler/test-support';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { runButler } from './cli-runner.fixture.js';

const run = promisify(execFile);

// The commands users run, against Podman 4.3 serving the Docker API (its own socket and storage
// for this file, stopped and removed after).
const dir = `/tmp/butler-podman-cli-${process.pid}`;
const script = `${repoRoot()}/scripts/podman-service.sh`;
let dockerHost = '';
let work = '';
const repo = uniqueRepo('podman');
beforeAll(async () => {
  dockerHost = (await run('bash', [script, 'start', dir], { timeout: 600_000 })).stdout.trim();
  work = await mkdtemp(join(tmpdir(), 'butler-podman-'));
}, 600_000);
afterAll(async () => {
  await run('bash', [script, 'stop', dir], { timeout: 60_000 });
  await rm(work, { recursive: true, force: true });
}, 60_000);

const butler = (...args: string[]) =>
  runButler(args, {
    env: { ...process.env, DOCKER_HOST: dockerHost, BUTLER_STATE_DIR: join(work, 'state') },
    cwd: process.cwd(),
    reject: true,
  });
const json = async (...args: string[]) => JSON.parse((await butler(...args, '--json')).stdout);

test('build, reuse, why, list, stats, details, gc and force-rebuild work on Podman as on Docker; deploy says it does not', async () => {
  const app = join(work, 'app');
  await run('mkdir', ['-p', app]);
  await writeFile(join(app, 'Dockerfile'), 'FROM butler-test/busybox:latest\nCOPY app.txt /app.txt\n');
  const ids: string[] = [];
  for (const version of ['v1', 'v2', 'v3', 'v4']) {
    // 300 KB of its own in each image: what stats and gc say the images hold and give back.
    await writeFile(join(app, 'app.txt'), `${version}\n${'x'.repeat(300_000)}\n`);
    const built = await json('build', app, '--repo', repo, '--no-cleanup');
    expect(built.outcome).toBe('built');
    ids.push(built.image.id);
  }
  const hit = await json('build', app, '--repo', repo, '--no-cleanup');
  expect(hit).toMatchObject({ outcome: 'reused', image: { id: ids[3] } });
  expect((await butler('why', app, '--repo', repo)).stdout).toMatch(/unchanged/i);

  // Podman names the images docker.io/local-registry/…: Butler shows and finds them by its own names.
  const listed = await json('list', '--repo', repo);
  expect(JSON.stringify(listed)).not.toContain('docker.io/');
  expect(JSON.stringify(listed)).toContain(`local-registry/${repo}:latest`);
  const stats = (await butler('stats')).stdout;
  expect(stats).toContain(repo);
  // Buildah leaves an untagged image per step, and each app image shares every layer with them:
  // it holds almost nothing alone, yet removing it removes them and its 300 KB.
  const [disk] = (await json('stats', '--repo', repo)).repositories.map((r: { disk: unknown }) => r.disk);
  expect(disk.images).toBe(4);
  expect(disk.uniqueBytes).toBeGreaterThanOrEqual(4 * 300_000);
  expect((await butler('details', `${repo}:latest`)).stdout).toContain(`local-registry/${repo}:latest`);

  const gc = await json('gc', '--repo', repo, '--keep', '2');
  expect(gc.removed.map((e: { id: string }) => e.id).sort()).toEqual([ids[0], ids[1]].sort());
  // Podman counts no layers in /system/df: the bytes are told from its report before the removals.
  expect(gc.reclaimedBytes).toBeGreaterThanOrEqual(2 * 300_000);
  expect(gc.reclaimedBytes).toBeLessThan(2 * (300_000 + 65_536));

  const forced = await butler('force-rebuild', repo);
  expect(forced.stdout).toContain(`The next butler build of ${repo} builds a new image.`);
  expect(forced.stdout).toMatch(/removed/);
  expect((await json('build', app, '--repo', repo, '--no-cleanup')).outcome).toBe('forced');

  // Deploy's checks do not pass through Podman's API: one line, before anything is built.
  const deploy = await butler('deploy', app, '--name', repo).catch(
    (error: { code: number; stderr: string }) => error,
  );
  expect(deploy).toMatchObject({ code: 1 });
  expect((deploy as { stderr: string }).stderr.trim().split('\n')).toEqual([
    expect.stringMatching(/^✖ butler deploy does not run on Podman yet: .* — butler build works on Podman/),
  ]);
}, 300_000);
