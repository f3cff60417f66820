import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
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
  /** Where the registry keeps its blobs and uploads (`…/data`). */
  registryData: string;
  /** Kills the registry with SIGKILL, mid-transfer as a crash or a cut network would. */
  killRegistry: () => Promise<void>;
  /** Starts it again on the same port and storage. */
  startRegistry: () => Promise<void>;
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
  let port = 0;
  const start = async () => {
    await run('bash', [join(scripts, 'registry.sh'), 'start', registryDir, String(port)], {
      timeout: 30_000,
    });
  };
  lab.startRegistry = start;
  lab.killRegistry = async () => {
    const pid = Number((await readFile(join(registryDir, 'registry.pid'), 'utf8')).trim());
    process.kill(pid, 'SIGKILL');
    // Gone when signal 0 fails.
    for (let i = 0; i < 100; i++) {
      try {
        process.kill(pid, 0);
      } catch {
        return;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  beforeAll(async () => {
    registryDir = await mkdtemp('/tmp/butler-registry-');
    port = await freePort();
    await start();
    lab.registryHost = `127.0.0.1:${port}`;
    lab.registryData = join(registryDir, 'data');
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
