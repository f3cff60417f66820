import {
  closeSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  statSync,
  unlinkSync,
  utimes,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { sha256Hex } from '../hashing/sha256.js';
import { ButlerError } from '../kernel/errors.js';
import { type LockOwner, ownerLiveness, ownerRecord, parseOwner } from './lock-owner.js';
import { PRIVATE_FILE_MODE, stateSubdir } from './state-dir.js';

/** How often a holder touches its lock file, and how long without a touch makes a lock stale. */
export const HEARTBEAT_MS = 1000;
export const STALE_AFTER_MS = 10_000;
const POLL_MS = 150;
/** How often a waiter says again that it is still waiting. */
const REMIND_MS = 30_000;

export interface LockOptions {
  /** Called when the lock is held by someone else: once at first, then every 30 s while waiting. */
  onWait?: (message: string) => void;
  /** Give up after waiting this long (default: wait as long as the holder lives). */
  timeoutMs?: number | undefined;
}

/**
 * Runs `fn` holding a lock file keyed by `what` (an image reference, a checkout, a deployment), so
 * two `butler` runs make one engine build: the second waits, then its lookup finds the image.
 *
 * Crash-safe at any instant: the owner record (host, boot id, pid, process start time, token) is
 * written to a file of its own and linked into place, so the lock file is never empty or partial;
 * the holder touches it every second, and a waiter takes it over when its owner is known dead, or
 * when it has not been touched for 10 s (another host, a hung or frozen process). Release and
 * takeover check the token under a guard file and remove the lock only if it is the one they judged.
 *
 * Its file calls are synchronous: each is one system call on a small file, and a cache hit that
 * takes the lock then never loads `fs/promises` (≈ 3 ms of its start-up, see the bundle script).
 */
export async function withTargetLock<T>(
  stateDir: string,
  what: string,
  fn: () => Promise<T>,
  options: LockOptions = {},
): Promise<T> {
  // No state directory (a library call): locks still need a place every process on the machine sees.
  const dir = stateDir ? stateSubdir(stateDir, 'locks') : join(tmpdir(), 'devops-butler', 'locks');
  if (!stateDir) mkdirSync(dir, { recursive: true });
  const file = join(dir, `${sha256Hex(what).slice(0, 24)}.lock`);
  const owner = await acquire(file, what, options);
  const heartbeat = setInterval(() => {
    const now = new Date();
    utimes(file, now, now, () => undefined);
  }, HEARTBEAT_MS);
  heartbeat.unref();
  try {
    return await fn();
  } finally {
    clearInterval(heartbeat);
    await removeIfOwned(file, owner.token);
  }
}

async function acquire(file: string, what: string, options: LockOptions): Promise<LockOwner> {
  const owner = ownerRecord(what);
  const draft = `${file}.${owner.token}.new`;
  writeFileSync(draft, JSON.stringify(owner), { mode: PRIVATE_FILE_MODE });
  const started = Date.now();
  let reminded = 0;
  try {
    for (;;) {
      try {
        // link() creates the lock with its whole content in one step, or fails when one exists.
        linkSync(draft, file);
        return owner;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const held = readHolder(file);
      if (!held) continue;
      if (held.stale) {
        await removeIfOwned(file, held.token);
        continue;
      }
      const waited = Date.now() - started;
      if (options.timeoutMs !== undefined && waited >= options.timeoutMs) {
        throw new ButlerError(
          'LOCK_TIMEOUT',
          `gave up after ${seconds(waited)} waiting for ${describe(held, what)}`,
          {
            hint: `if that process is gone for good, remove ${file}; or raise --lock-timeout`,
          },
        );
      }
      if (options.onWait && Date.now() - reminded >= REMIND_MS) {
        options.onWait(`waiting for ${describe(held, what)}`);
        reminded = Date.now();
      }
      await sleep(POLL_MS);
    }
  } finally {
    unlinkQuietly(draft);
  }
}

interface Holder {
  owner: LockOwner | undefined;
  /** The token to act on; `''` for a file with no owner record (from an older Butler). */
  token: string;
  stale: boolean;
  ageMs: number;
}

/** The current holder and whether it is stale; undefined when the lock vanished meanwhile. */
function readHolder(file: string): Holder | undefined {
  let text: string;
  let touched: number;
  try {
    text = readFileSync(file, 'utf8');
    touched = statSync(file).mtimeMs;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const owner = parseOwner(text);
  const silentMs = Date.now() - touched;
  const stale = silentMs > STALE_AFTER_MS || (owner !== undefined && ownerLiveness(owner) === 'dead');
  return { owner, token: owner?.token ?? '', stale, ageMs: owner ? Date.now() - owner.since : silentMs };
}

/** A guard file held for the few calls of a release or takeover; older than this, its holder died. */
const GUARD_STALE_MS = 2000;

/**
 * Removes the lock if it still holds `token`. Check and unlink happen under a guard file (created
 * with O_EXCL), so a release or takeover never removes a lock someone took in between, and a lock
 * once removed is never put back.
 */
async function removeIfOwned(file: string, token: string): Promise<void> {
  await withGuard(`${file}.guard`, async () => {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    if ((parseOwner(text)?.token ?? '') === token) unlinkQuietly(file);
  });
}

async function withGuard(guard: string, fn: () => Promise<void>): Promise<void> {
  for (;;) {
    try {
      closeSync(openSync(guard, 'wx', PRIVATE_FILE_MODE));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    let since = 0;
    try {
      since = Date.now() - statSync(guard).mtimeMs;
    } catch {
      // gone meanwhile: try again at once
    }
    if (since > GUARD_STALE_MS) unlinkQuietly(guard);
    else await sleep(5);
  }
  try {
    await fn();
  } finally {
    unlinkQuietly(guard);
  }
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone, or never made
  }
}

function describe(held: Holder, what: string): string {
  const o = held.owner;
  const who = o ? `pid ${o.pid} on ${o.host}` : 'a process of an older Butler';
  return `another butler run on ${o?.what ?? what} (${who}, held ${seconds(held.ageMs)})`;
}

function seconds(ms: number): string {
  return `${Math.round(ms / 1000)} s`;
}
