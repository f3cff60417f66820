import { createHash } from 'node:crypto';
import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { PRIVATE_FILE_MODE, stateSubdir } from './state-dir.js';

interface LockOwner {
  pid: number;
  since: number;
}

/** A lock older than this is taken over even if its pid lives on (pid reuse, a hung process). */
const STALE_AFTER_MS = 60 * 60 * 1000;
const POLL_MS = 150;

/**
 * Runs `fn` holding a lock file keyed by the image reference, so two `butler build` runs of the same
 * inputs make one engine build: the second waits, then its lookup finds the first one's image.
 * A lock whose process died is taken over at once.
 */
export async function withTargetLock<T>(
  stateDir: string,
  reference: string,
  fn: () => Promise<T>,
): Promise<T> {
  // No state directory (a library call): locks still need a place every process on the machine sees.
  const dir = stateDir ? stateSubdir(stateDir, 'locks') : join(tmpdir(), 'devops-butler', 'locks');
  if (!stateDir) await mkdir(dir, { recursive: true });
  const file = join(dir, `${createHash('sha256').update(reference).digest('hex').slice(0, 24)}.lock`);
  await acquire(file);
  try {
    return await fn();
  } finally {
    await rm(file, { force: true });
  }
}

async function acquire(file: string): Promise<void> {
  for (;;) {
    try {
      const handle = await open(file, 'wx', PRIVATE_FILE_MODE);
      await handle.writeFile(JSON.stringify({ pid: process.pid, since: Date.now() } satisfies LockOwner));
      await handle.close();
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    if (await isStale(file)) {
      await rm(file, { force: true });
      continue;
    }
    await sleep(POLL_MS);
  }
}

async function isStale(file: string): Promise<boolean> {
  let owner: LockOwner;
  try {
    owner = JSON.parse(await readFile(file, 'utf8')) as LockOwner;
  } catch {
    // Unreadable or half-written: give its writer a moment, then treat it as stale on the next pass.
    return false;
  }
  if (Date.now() - owner.since > STALE_AFTER_MS) return true;
  try {
    process.kill(owner.pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
