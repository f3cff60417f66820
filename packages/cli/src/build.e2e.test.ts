import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  type FixtureTree,
  makeTree,
  OWNER_LABEL,
  removeOwnedDanglingImages,
  removeRepoImages,
  uniqueRepo,
} from '@devops-butler/test-support';
import { afterEach, beforeEach, expect, test } from 'vitest';

const run = promisify(execFile);
/** The first lines of every test Dockerfile: the test's own label keeps its images findable. */
const from = () => `FROM butler-test/busybox:latest\nLABEL ${OWNER_LABEL}=${repo}\n`;
const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));

let tree: FixtureTree;
let repo: string;
let stateDir: string;
beforeEach(async () => {
  repo = uniqueRepo('cli');
  stateDir = await mkdtemp(join(tmpdir(), 'butler-state-'));
  tree = await makeTree({ Dockerfile: `${from()}COPY app.txt /app.txt\n`, 'app.txt': 'v1\n' });
});
afterEach(async () => {
  await removeRepoImages(`local-registry/${repo}`);
  await removeOwnedDanglingImages(repo);
  await tree.remove();
  await rm(stateDir, { recursive: true, force: true });
});

async function butler(args: string[], env: NodeJS.ProcessEnv = {}) {
  return run('node', [bin, ...args], { env: { ...process.env, BUTLER_STATE_DIR: stateDir, ...env } }).then(
    (r) => ({ ...r, code: 0 }),
    (e: { stdout: string; stderr: string; code: number }) => ({
      stdout: e.stdout,
      stderr: e.stderr,
      code: e.code,
    }),
  );
}

test('butler build with no config builds, then reuses, with the specified log lines', async () => {
  const first = await butler(['build', tree.dir, '--repo', repo]);
  expect(first.code).toBe(0);
  expect(first.stdout).toMatch(/🔍 Calculating build context hash\.\.\./);
  expect(first.stdout).toMatch(new RegExp(`📦 Target image: local-registry/${repo}:[0-9a-f]{12}`));
  expect(first.stdout).toMatch(/🔨 No suitable existing image found, building new image\.\.\./);
  expect(first.stdout).toMatch(/✅ Docker build completed successfully!/);
  const second = await butler(['build', tree.dir, '--repo', repo]);
  expect(second.stdout).toMatch(new RegExp(`♻️ Reusing existing image: local-registry/${repo}:[0-9a-f]{12}`));
  expect(second.stdout).toMatch(/⚡ Build skipped - using cached image!/);
});

test('--json prints one result; BUTLER_FORCE_REBUILD forces a build', async () => {
  const first = JSON.parse((await butler(['build', tree.dir, '--repo', repo, '--json'])).stdout);
  expect(first.outcome).toBe('built');
  const forced = JSON.parse(
    (await butler(['build', tree.dir, '--repo', repo, '--json'], { BUTLER_FORCE_REBUILD: 'true' })).stdout,
  );
  expect(forced.outcome).toBe('forced');
  expect(forced.target.tag).toBe(first.target.tag);
});

test('an unreachable engine is one line that says how to start one, exit 1', async () => {
  const result = await butler(['build', tree.dir, '--repo', repo], {
    DOCKER_HOST: 'unix:///nonexistent/docker.sock',
  });
  expect(result.code).toBe(1);
  expect(result.stderr.trim()).toMatch(
    /^✖ (\[plugin:butler:dockerode\] )?cannot reach the Docker engine .* — start it/,
  );
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
});

test('a failing step is one line naming the step, and nothing is tagged', async () => {
  await tree.write({ Dockerfile: `${from()}RUN exit 7\n` });
  const result = await butler(['build', tree.dir, '--repo', repo]);
  expect(result.code).toBe(1);
  expect(result.stderr).toMatch(/✖ (\[plugin:butler:dockerode\] )?build failed at Step 3\/\d+ : RUN exit 7/);
  const { stdout } = await run('docker', ['image', 'ls', '-q', `local-registry/${repo}`]);
  expect(stdout.trim()).toBe('');
});
