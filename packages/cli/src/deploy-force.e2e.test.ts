import { execFile } from 'node:child_process';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freePort, OWNER_LABEL, useEngineFixture } from '@devops-butler/test-support';
import { afterEach, beforeEach, expect, test } from 'vitest';

const run = promisify(execFile);
const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));

const fx = useEngineFixture('deploy-force', ({ repo }) => ({
  Dockerfile: `FROM butler-test/node:latest\nLABEL ${OWNER_LABEL}=${repo}\nCOPY server.js /server.js\nCMD ["node", "/server.js"]\n`,
  'server.js':
    "process.on('SIGTERM', () => process.exit(0));\nrequire('node:http').createServer((q, s) => s.end('ok')).listen(3000);\n",
}));

let port: number;
beforeEach(async () => {
  port = await freePort();
});
afterEach(async () => {
  await butler({}, 'undeploy', fx.repo, '--timeout', '0', '--volumes').catch(() => undefined);
  await run('docker', ['network', 'rm', `${fx.repo}-net`]).catch(() => undefined);
});

const butler = (env: NodeJS.ProcessEnv, ...args: string[]) =>
  run('node', [bin, ...args], {
    env: { ...process.env, BUTLER_STATE_DIR: fx.stateDir, ...env },
    cwd: tmpdir(),
  });

async function deploy(env: NodeJS.ProcessEnv = {}): Promise<{ build: { outcome: string } }> {
  const args = ['deploy', fx.tree.dir, '--name', fx.repo, '--repo', fx.repo, '--port', `${port}:3000`];
  return JSON.parse((await butler(env, ...args, '--network', `${fx.repo}-net`, '--json')).stdout);
}

test('BUTLER_FORCE_REBUILD=true makes butler deploy build instead of reusing', async () => {
  expect((await deploy()).build.outcome).toBe('built');
  expect((await deploy()).build.outcome).toBe('reused');
  expect((await deploy({ BUTLER_FORCE_REBUILD: 'true' })).build.outcome).toBe('forced');
});

test('butler force-rebuild, then butler deploy of the same commit: built, not reused; then reused again', async () => {
  expect((await deploy()).build.outcome).toBe('built');
  await butler({}, 'force-rebuild', fx.repo);
  expect((await deploy()).build.outcome).toBe('forced');
  expect((await deploy()).build.outcome).toBe('reused');
  // Every deploy's build is counted like a butler build.
  const { repositories } = JSON.parse((await butler({}, 'stats', '--repo', fx.repo, '--json')).stdout);
  expect(repositories[0]).toMatchObject({ builds: 3, hits: 1, misses: 1, forced: 1 });
});
