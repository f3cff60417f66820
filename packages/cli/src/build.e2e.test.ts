import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { useEngineFixture } from '@devops-butler/test-support';
import { expect, test } from 'vitest';

const run = promisify(execFile);
const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const fx = useEngineFixture('cli', ({ from }) => ({
  Dockerfile: `${from}COPY app.txt /app.txt\n`,
  'app.txt': 'v1\n',
}));

async function butler(args: string[], env: NodeJS.ProcessEnv = {}) {
  return run('node', [bin, ...args], { env: { ...process.env, BUTLER_STATE_DIR: fx.stateDir, ...env } }).then(
    (r) => ({ ...r, code: 0 }),
    (e: { stdout: string; stderr: string; code: number }) => ({
      stdout: e.stdout,
      stderr: e.stderr,
      code: e.code,
    }),
  );
}

test('butler build with no config builds, then reuses, with the specified log lines', async () => {
  const first = await butler(['build', fx.tree.dir, '--repo', fx.repo]);
  expect(first.code).toBe(0);
  expect(first.stdout).toMatch(/🔍 Calculating build context hash\.\.\./);
  expect(first.stdout).toMatch(new RegExp(`📦 Target image: local-registry/${fx.repo}:[0-9a-f]{12}`));
  expect(first.stdout).toMatch(/🔨 No suitable existing image found, building new image\.\.\./);
  expect(first.stdout).toMatch(/✅ Docker build completed successfully!/);
  const second = await butler(['build', fx.tree.dir, '--repo', fx.repo]);
  expect(second.stdout).toMatch(
    new RegExp(`♻️ Reusing existing image: local-registry/${fx.repo}:[0-9a-f]{12}`),
  );
  expect(second.stdout).toMatch(/⚡ Build skipped - using cached image!/);
});

test('--json prints one result; BUTLER_FORCE_REBUILD forces a build', async () => {
  const first = JSON.parse((await butler(['build', fx.tree.dir, '--repo', fx.repo, '--json'])).stdout);
  expect(first.outcome).toBe('built');
  const forced = JSON.parse(
    (await butler(['build', fx.tree.dir, '--repo', fx.repo, '--json'], { BUTLER_FORCE_REBUILD: 'true' }))
      .stdout,
  );
  expect(forced.outcome).toBe('forced');
  expect(forced.target.tag).toBe(first.target.tag);
});

test('an unreachable engine is one line that says how to start one, exit 1', async () => {
  const result = await butler(['build', fx.tree.dir, '--repo', fx.repo], {
    DOCKER_HOST: 'unix:///nonexistent/docker.sock',
  });
  expect(result.code).toBe(1);
  expect(result.stderr.trim()).toMatch(
    /^✖ (\[plugin:butler:dockerode\] )?cannot reach the Docker engine .* — start it/,
  );
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
});

test('a failing step is one line naming the step, and nothing is tagged', async () => {
  await fx.tree.write({ Dockerfile: `${fx.from}RUN exit 7\n` });
  const result = await butler(['build', fx.tree.dir, '--repo', fx.repo]);
  expect(result.code).toBe(1);
  expect(result.stderr).toMatch(/✖ (\[plugin:butler:dockerode\] )?build failed at Step 3\/\d+ : RUN exit 7/);
  const { stdout } = await run('docker', ['image', 'ls', '-q', `local-registry/${fx.repo}`]);
  expect(stdout.trim()).toBe('');
});
