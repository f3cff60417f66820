import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { freePort, OWNER_LABEL, useEngineFixture } from '@devops-butler/test-support';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { runButler } from './cli-runner.fixture.js';

const run = promisify(execFile);

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
  runButler(args, { env: { ...process.env, BUTLER_STATE_DIR: fx.stateDir, ...env }, reject: true });

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
