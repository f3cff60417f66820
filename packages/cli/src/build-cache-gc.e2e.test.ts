import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { makeTree, OWNER_LABEL, uniqueRepo, useRegistryLab } from '@devops-butler/test-support';
import { beforeAll, expect, test } from 'vitest';
import { runButler } from './cli-runner.fixture.js';

const run = promisify(execFile);
// `gc --build-cache` prunes the engine's whole build cache (BuildKit keeps none per repository):
// run on a second engine of the test's own, so the suite never prunes the cache of the engine
// its user works with.
const lab = useRegistryLab();

beforeAll(async () => {
  // Engine B starts empty: the base image is copied from the first engine, not pulled.
  await run('sh', ['-c', 'docker save butler-test/busybox:latest | docker -H "$1" load', 'sh', lab.engineB], {
    timeout: 60_000,
  });
}, 90_000);

test("butler gc --build-cache SIZE prunes BuildKit's own cache to SIZE and stats shows its size", async () => {
  const repo = uniqueRepo('build-cache');
  const tree = await makeTree({
    Dockerfile: `FROM butler-test/busybox:latest\nLABEL ${OWNER_LABEL}=${repo}\nRUN --mount=type=cache,id=${repo},target=/c dd if=/dev/urandom of=/c/blob bs=1048576 count=3 2>/dev/null\n`,
  });
  const stateDir = await mkdtemp(join(tmpdir(), 'butler-build-cache-'));
  const env = { ...process.env, BUTLER_STATE_DIR: stateDir, DOCKER_HOST: lab.engineB };
  const butler = (...args: string[]) => runButler(args, { env, reject: true });
  try {
    await butler('build', tree.dir, '--repo', repo);
    const stats = JSON.parse((await butler('stats', '--json')).stdout);
    expect(stats.buildCache.bytes).toBeGreaterThanOrEqual(3 * 1048576);
    // Half of what is there (as BuildKit counts it: shared records once): the least recently used
    // records go, as docker builder prune does.
    const limit = Math.floor(stats.buildCache.bytes / 2);
    const gc = JSON.parse(
      (await butler('gc', '--repo', repo, '--build-cache', String(limit), '--json')).stdout,
    );
    expect(gc.buildCache).toMatchObject({ limitBytes: limit, dryRun: false });
    expect(gc.buildCache.freedBytes).toBeGreaterThan(0);
    const text = await butler('gc', '--repo', repo, '--build-cache', '100TB');
    expect(text.stdout).toMatch(/🧱 BuildKit's build cache: .* within 100\.0 TB; nothing pruned/);
  } finally {
    await tree.remove();
    await rm(stateDir, { recursive: true, force: true });
  }
}, 180_000);
