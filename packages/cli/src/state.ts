import { engineAddress } from '@devops-butler/engine-client';
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
      `the state store in ${stateDir} cannot be opened (${(error as Error).message}); going on without it`,
    );
    return undefined;
  }
}

/**
 * The state store's IDs of images Butler built on the engine `env` names, read only when retention
 * asks (an untagged candidate).
 */
export function builtByButler(stateDir: string, env: NodeJS.ProcessEnv): () => Promise<ReadonlySet<string>> {
  return async () =>
    (await import('@devops-butler/state-store')).builtImageIdsIn(stateDir, engineAddress(env));
}
