import { existsSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PRIVATE_FILE_MODE, stateSubdir } from '@devops-butler/core';

/**
 * `butler force-rebuild <repo>` leaves a marker in the state directory; the next `butler build` of
 * that repository is then a miss even where a container's image keeps its hash tag (Butler never
 * untags an image in use: without force the engine refuses, with force a stopped container's image
 * would be lost). The marker goes once that build succeeded.
 */
// One file per repository; `team/app` is a name, not a folder.
const markerPath = (stateDir: string, repo: string) =>
  join(stateDir, 'force-rebuild', encodeURIComponent(repo));

export async function setForceMarker(stateDir: string, repo: string): Promise<void> {
  stateSubdir(stateDir, 'force-rebuild');
  await writeFile(markerPath(stateDir, repo), new Date().toISOString(), { mode: PRIVATE_FILE_MODE });
}

export async function hasForceMarker(stateDir: string, repo: string): Promise<boolean> {
  // Every build asks: synchronous, so a cache hit never loads fs/promises (see core's lock).
  return existsSync(markerPath(stateDir, repo));
}

export async function clearForceMarker(stateDir: string, repo: string): Promise<void> {
  await rm(markerPath(stateDir, repo), { force: true });
}
