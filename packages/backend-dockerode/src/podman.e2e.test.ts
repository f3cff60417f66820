import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describeBackendContract } from '@devops-butler/contract-tests';
import { repoRoot } from '@devops-butler/test-support';
import { afterAll, beforeAll } from 'vitest';
import { dockerode } from './index.js';

const run = promisify(execFile);

// The same contract every backend passes, against Podman 4.3's Docker-compatible API: a service
// of its own (socket, storage) for this file, stopped and removed after. This file's worker talks
// to it alone (DOCKER_HOST), Butler and the docker CLI the suite uses alike.
const dir = `/tmp/butler-podman-${process.pid}`;
const script = `${repoRoot()}/scripts/podman-service.sh`;
beforeAll(async () => {
  const { stdout } = await run('bash', [script, 'start', dir], { timeout: 600_000 });
  process.env.DOCKER_HOST = stdout.trim();
}, 600_000);
afterAll(async () => {
  delete process.env.DOCKER_HOST;
  await run('bash', [script, 'stop', dir], { timeout: 60_000 });
}, 60_000);

describeBackendContract('dockerode-podman', () => dockerode());
