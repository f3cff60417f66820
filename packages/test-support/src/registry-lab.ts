import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll } from 'vitest';
import { repoRoot } from './repo-root.js';

const run = promisify(execFile);

/** A registry on 127.0.0.1 and a second engine: "another machine" sharing the cache. */
export interface RegistryLab {
  /** `127.0.0.1:PORT` */
  registryHost: string;
  /** DOCKER_HOST of the second engine (`unix:///tmp/butler-b-…/docker.sock`). */
  engineB: string;
}

/**
 * Starts, for the test file, Debian's docker-registry (CNCF Distribution) on a free 127.0.0.1 port
 * with deletes enabled and its own storage, and a second dockerd with its own data root, exec root,
 * socket, containerd namespaces and bridge (scripts/second-engine.sh); stops and removes both after.
 * Read the fields inside tests.
 */
export function useRegistryLab(options: { secondEngine?: boolean } = {}): RegistryLab {
  const lab = {} as RegistryLab;
  let registryDir = '';
  let engineDir = '';
  const bridge = `br-b${process.pid.toString(36).slice(-6)}`;
  const scripts = join(repoRoot(), 'scripts');
  beforeAll(async () => {
    registryDir = await mkdtemp('/tmp/butler-registry-');
    const port = await freePort();
    await run('bash', [join(scripts, 'registry.sh'), 'start', registryDir, String(port)], {
      timeout: 30_000,
    });
    lab.registryHost = `127.0.0.1:${port}`;
    if (options.secondEngine !== false) {
      engineDir = await mkdtemp('/tmp/butler-b-');
      const { stdout } = await run('bash', [join(scripts, 'second-engine.sh'), 'start', engineDir, bridge], {
        timeout: 60_000,
      });
      lab.engineB = stdout.trim();
    }
  }, 90_000);
  afterAll(async () => {
    if (engineDir)
      await run('bash', [join(scripts, 'second-engine.sh'), 'stop', engineDir, bridge], { timeout: 60_000 });
    if (registryDir) {
      await run('bash', [join(scripts, 'registry.sh'), 'stop', registryDir], { timeout: 30_000 });
      await rm(registryDir, { recursive: true, force: true });
    }
  }, 90_000);
  return lab;
}

/** A TCP port nothing listens on at 127.0.0.1 right now. */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}
