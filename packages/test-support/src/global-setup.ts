import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from './repo-root.js';

const run = promisify(execFile);

/**
 * Vitest global setup for e2e tests: the engine must answer (a missing engine fails the run, it
 * never skips it), then the local base images are built if they are missing or stale.
 */
export default async function setup(): Promise<void> {
  try {
    await run('docker', ['info', '--format', '{{.ServerVersion}}'], { timeout: 30_000 });
  } catch {
    throw new Error('No Docker engine answers: start one with `bash scripts/docker-engine.sh` (as root).');
  }
  await run('bash', [join(repoRoot(), 'scripts/base-images.sh')], { timeout: 300_000 });
}
