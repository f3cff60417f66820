import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PRIVATE_FILE_MODE, sha256Hex, stateFileFor, stateSubdir } from '@devops-butler/core';

/**
 * Which local images this machine knows the registry holds (pushed, pulled or seen there): a local
 * hit asks the registry once per image, not on every hit. One empty file per (reference, image).
 */
function markerFile(stateDir: string, reference: string, imageId: string): string {
  return stateFileFor(stateDir, 'registry-known', `${reference}\0${imageId}`);
}

export function knownInRegistry(stateDir: string, reference: string, imageId: string): boolean {
  return stateDir !== '' && existsSync(markerFile(stateDir, reference, imageId));
}

export function rememberInRegistry(stateDir: string, reference: string, imageId: string): void {
  if (stateDir === '') return;
  try {
    stateSubdir(stateDir, 'registry-known');
    writeFileSync(markerFile(stateDir, reference, imageId), '', { mode: PRIVATE_FILE_MODE });
  } catch {
    // Not remembered: the next hit asks the registry again.
  }
}

/** How long a registry that could not be reached is not asked again by a local hit. */
const UNREACHABLE_QUIET_MS = 10 * 60 * 1000;

function unreachableFile(stateDir: string, host: string): string {
  return join(stateDir, 'registry-known', `unreachable-${sha256Hex(host).slice(0, 16)}`);
}

/** True when a local hit found the registry unreachable in the last ten minutes (a hit must stay fast). */
export function recentlyUnreachable(stateDir: string, host: string): boolean {
  if (stateDir === '') return false;
  try {
    return Date.now() - statSync(unreachableFile(stateDir, host)).mtimeMs < UNREACHABLE_QUIET_MS;
  } catch {
    return false;
  }
}

export function rememberUnreachable(stateDir: string, host: string): void {
  if (stateDir === '') return;
  try {
    stateSubdir(stateDir, 'registry-known');
    writeFileSync(unreachableFile(stateDir, host), '', { mode: PRIVATE_FILE_MODE });
  } catch {
    // Not remembered: the next hit asks again.
  }
}
