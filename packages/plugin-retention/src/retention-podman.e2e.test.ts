import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { repoRoot } from '@devops-butler/test-support';
import { afterAll } from 'vitest';

const run = promisify(execFile);

// The retention tests, once more, against Podman 4.3's Docker-compatible API: a service of its own
// (socket, storage) for this file. DOCKER_HOST is set before the suite is loaded, so Butler, the
// engine endpoint and the docker CLI the tests use all talk to Podman.
const dir = `/tmp/butler-podman-gc-${process.pid}`;
const script = `${repoRoot()}/scripts/podman-service.sh`;
process.env.DOCKER_HOST = (await run('bash', [script, 'start', dir], { timeout: 600_000 })).stdout.trim();
afterAll(async () => {
  delete process.env.DOCKER_HOST;
  await run('bash', [script, 'stop', dir], { timeout: 60_000 });
}, 60_000);

await import('./retention.e2e.test.js');
