import type { BuildResult, HashedContext } from '@devops-butler/core';
import type { StateStore } from '@devops-butler/state-store';
import type { CliIo } from './io.js';

/**
 * Opens the state store, or warns and returns undefined: the store feeds stats and why, and must
 * never block a build.
 */
export async function openState(stateDir: string, io: CliIo): Promise<StateStore | undefined> {
  const warn = (message: string) => io.stderr.write(`⚠️ ${message}\n`);
  try {
    const { StateStore } = await import('@devops-butler/state-store');
    return StateStore.open(stateDir, { onWarning: warn });
  } catch (error) {
    warn(
      `the state store in ${stateDir} cannot be opened (${(error as Error).message}); this build is not recorded`,
    );
    return undefined;
  }
}

/** Records a build decision and its input manifest; a failure is a warning. */
export async function recordBuild(
  stateDir: string,
  io: CliIo,
  result: BuildResult,
  hashed: HashedContext | undefined,
): Promise<void> {
  const store = await openState(stateDir, io);
  if (!store) return;
  try {
    const { recordBuildResult } = await import('@devops-butler/state-store');
    recordBuildResult(store, result, hashed);
  } catch (error) {
    io.stderr.write(`⚠️ this build was not recorded in the state store: ${(error as Error).message}\n`);
  } finally {
    store.close();
  }
}

/** The state store's IDs of images Butler built, read only when retention asks (an untagged candidate). */
export function builtByButler(stateDir: string): () => Promise<ReadonlySet<string>> {
  return async () => (await import('@devops-butler/state-store')).builtImageIdsIn(stateDir);
}

/**
 * Last-use times for least-recently-used retention, read only when a size limit makes them matter
 * (keep-N retention orders by creation).
 */
export async function lastUsedFor(
  retention: { maxSize?: unknown } | undefined,
  stateDir: string,
  io: CliIo,
): Promise<ReadonlyMap<string, string> | undefined> {
  if (retention?.maxSize === undefined) return undefined;
  const store = await openState(stateDir, io);
  try {
    return store?.lastUsed();
  } finally {
    store?.close();
  }
}
