import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { uniqueToken } from './unique-token.js';

/** Who holds a lock: enough to tell, from any process on any host sharing the folder, whether it lives. */
export interface LockOwner {
  /** Unique per acquisition: release and takeover act only on the lock they judged. */
  token: string;
  host: string;
  /** The kernel's boot id: a pid means something only within the same boot of the same host. */
  bootId: string;
  pid: number;
  /** The process's start time (clock ticks since boot, from /proc): a reused pid has another. */
  startTime: string;
  /** What the lock guards, for the waiting message (`local-registry/api:3f2a…`). */
  what: string;
  /** Epoch ms when it was taken. */
  since: number;
}

/** A fresh owner record for this process. */
export function ownerRecord(what: string): LockOwner {
  return {
    token: uniqueToken(),
    host: hostname(),
    bootId: bootId(),
    pid: process.pid,
    startTime: processStartTime(process.pid) ?? '',
    what,
    since: Date.now(),
  };
}

/**
 * `dead` when the owner is a process of this host and boot that is gone (or whose pid now belongs
 * to another process); `unknown` when this host cannot tell (another host, another boot, no /proc):
 * then only the heartbeat decides.
 */
export function ownerLiveness(owner: LockOwner): 'alive' | 'dead' | 'unknown' {
  if (owner.host !== hostname() || !owner.bootId || owner.bootId !== bootId()) return 'unknown';
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return 'dead';
  }
  const startTime = processStartTime(owner.pid);
  if (startTime === undefined) return owner.startTime ? 'dead' : 'unknown';
  // The same pid with another start time is another process (a container's butler is often pid 1
  // or 7 on every run): the owner is gone.
  return owner.startTime && startTime !== owner.startTime ? 'dead' : 'alive';
}

/** Parses a lock file's text; undefined for an empty or foreign file. */
export function parseOwner(text: string): LockOwner | undefined {
  try {
    const owner = JSON.parse(text) as Partial<LockOwner>;
    return typeof owner.token === 'string' && typeof owner.pid === 'number'
      ? (owner as LockOwner)
      : undefined;
  } catch {
    return undefined;
  }
}

let cachedBootId: string | undefined;

function bootId(): string {
  if (cachedBootId === undefined) {
    try {
      cachedBootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    } catch {
      cachedBootId = '';
    }
  }
  return cachedBootId;
}

/** Field 22 of /proc/<pid>/stat; undefined without /proc or without that process. */
function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: count from its end.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}
