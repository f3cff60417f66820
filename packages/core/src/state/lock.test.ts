import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { useTempDirs } from '@devops-butler/test-support';
import { expect, test } from 'vitest';
import { withTargetLock } from './lock.js';
import { ownerRecord } from './lock-owner.js';

const tempDir = useTempDirs();
const stateDir = () => tempDir('butler-lock-');

/** Where withTargetLock keeps the lock for `what`, written here as another process would have left it. */
function leaveLock(dir: string, what: string, content: string, secondsAgo = 0): string {
  mkdirSync(join(dir, 'locks'), { recursive: true });
  const file = join(dir, 'locks', `${createHash('sha256').update(what).digest('hex').slice(0, 24)}.lock`);
  writeFileSync(file, content);
  const then = new Date(Date.now() - secondsAgo * 1000);
  utimesSync(file, then, then);
  return file;
}

const held = (ms: number) => () => sleep(ms).then(() => 'done');

test('an empty lock file (a process killed between creating and writing it) is taken over once silent', async () => {
  const dir = stateDir();
  leaveLock(dir, 'app:1', '', 11);
  const started = Date.now();
  expect(await withTargetLock(dir, 'app:1', held(0))).toBe('done');
  expect(Date.now() - started).toBeLessThan(1000);
});

test('the lock of a process that is gone is taken over at once', async () => {
  const dir = stateDir();
  const gone = spawnSync(process.execPath, ['-e', '0']).pid as number;
  leaveLock(dir, 'app:1', JSON.stringify({ ...ownerRecord('app:1'), pid: gone }));
  const started = Date.now();
  await withTargetLock(dir, 'app:1', held(0));
  expect(Date.now() - started).toBeLessThan(1000);
});

test('a lock whose pid now belongs to another process (a container’s butler has the same pid every run) is stale', async () => {
  const dir = stateDir();
  // Our own pid, but not our process: it started at another time.
  leaveLock(dir, 'app:1', JSON.stringify({ ...ownerRecord('app:1'), startTime: '1' }));
  const started = Date.now();
  await withTargetLock(dir, 'app:1', held(0));
  expect(Date.now() - started).toBeLessThan(1000);
});

test('a live holder is waited for, and the waiting message names it', async () => {
  const dir = stateDir();
  const messages: string[] = [];
  const order: string[] = [];
  const first = withTargetLock(dir, 'local-registry/api:3f2a', async () => {
    await sleep(1500);
    order.push('first');
  });
  await sleep(100);
  await withTargetLock(dir, 'local-registry/api:3f2a', async () => order.push('second'), {
    onWait: (message) => messages.push(message),
  });
  await first;
  expect(order).toEqual(['first', 'second']);
  expect(messages).toHaveLength(1);
  expect(messages[0]).toMatch(
    new RegExp(
      `waiting for another butler run on local-registry/api:3f2a \\(pid ${process.pid} on ${hostname()}, held \\d+ s\\)`,
    ),
  );
});

test('a holder on another host is respected while its heartbeat goes on, and taken over once it stops', async () => {
  const dir = stateDir();
  const other = JSON.stringify({ ...ownerRecord('app:1'), host: 'ci-7', pid: 812 });
  leaveLock(dir, 'app:1', other, 0);
  await expect(withTargetLock(dir, 'app:1', held(0), { timeoutMs: 400 })).rejects.toMatchObject({
    code: 'LOCK_TIMEOUT',
    message: expect.stringMatching(/waiting for another butler run on app:1 \(pid 812 on ci-7, held \d+ s\)/),
  });
  leaveLock(dir, 'app:1', other, 11);
  expect(await withTargetLock(dir, 'app:1', held(0))).toBe('done');
});

test('a holder keeps its lock alive past the stale limit with its heartbeat', async () => {
  const dir = stateDir();
  const file = leaveLock(dir, 'app:1', '', 0);
  rmSync(file);
  const holding = withTargetLock(dir, 'app:1', held(2500));
  await sleep(200);
  // Pretend the lock was last touched long ago: the next heartbeat must renew it.
  const then = new Date(Date.now() - 60_000);
  utimesSync(file, then, then);
  await sleep(1500);
  await expect(withTargetLock(dir, 'app:1', held(0), { timeoutMs: 100 })).rejects.toMatchObject({
    code: 'LOCK_TIMEOUT',
  });
  await holding;
});

test('release removes only the holder’s own lock, never a successor’s', async () => {
  const dir = stateDir();
  const file = leaveLock(dir, 'app:1', '', 0);
  rmSync(file);
  const successor = JSON.stringify({ ...ownerRecord('app:1'), host: 'ci-7', pid: 812 });
  await withTargetLock(dir, 'app:1', async () => {
    // Taken over meanwhile (this holder looked stale to another host).
    writeFileSync(file, successor);
  });
  expect(readFileSync(file, 'utf8')).toBe(successor);
});

test('many waiters on one stale lock: exactly one holds it at a time, and no file is left behind', async () => {
  const dir = stateDir();
  leaveLock(dir, 'app:1', '', 30);
  let inside = 0;
  let most = 0;
  await Promise.all(
    Array.from({ length: 8 }, () =>
      withTargetLock(dir, 'app:1', async () => {
        inside++;
        most = Math.max(most, inside);
        await sleep(20);
        inside--;
      }),
    ),
  );
  expect(most).toBe(1);
  expect(readdirSync(join(dir, 'locks'))).toEqual([]);
  expect(existsSync(join(dir, 'locks'))).toBe(true);
});
