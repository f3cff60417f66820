import { engineAddress } from '@devops-butler/engine-client';
import type { StateStore } from '@devops-butler/state-store';
import type { CliIo } from './io.js';

/**
 * Opens the state store, or warns and returns undefined: the store feeds stats and why, and must
 * never block a build. The state store's own `openStateStore` decides (and words) a failure.
 */
export async function openState(stateDir: string, io: CliIo): Promise<StateStore | undefined> {
  const { openStateStore } = await import('@devops-butler/state-store');
  return openStateStore(stateDir, (message) => io.stderr.write(`⚠️ ${message}\n`));
}

/**
 * The state store's IDs of images Butler built on the engine `env` names, read only when retention
 * asks (an untagged candidate).
 */
export function builtByButler(stateDir: string, env: NodeJS.ProcessEnv): () => Promise<ReadonlySet<string>> {
  return async () =>
    (await import('@devops-butler/state-store')).builtImageIdsIn(stateDir, engineAddress(env));
}
