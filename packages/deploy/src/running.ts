import { defaultStateDir } from '@devops-butler/core';
import { type DeploymentRecord, withStateStore } from '@devops-butler/state-store';
import type { RunningState } from './target.js';
import { deployTarget } from './targets.js';

/** A current deployment with what its target says runs now. */
export type DeploymentNow = DeploymentRecord & RunningState & { imageId: string };

/**
 * The state store's current deployments on the engine the environment names, each with what its
 * target says runs now (`running`, `exited`, `missing`); a deploy killed mid-swap is brought back
 * to a serving state first (its messages go to `step`). An unreadable store lists none.
 */
export async function deploymentsNow(
  options: {
    repo?: string | undefined;
    stateDir?: string | undefined;
    processEnv?: NodeJS.ProcessEnv | undefined;
    step?: ((message: string) => void) | undefined;
    onWarning?: ((message: string) => void) | undefined;
  } = {},
): Promise<DeploymentNow[]> {
  const env = options.processEnv ?? process.env;
  const stateDir = options.stateDir ?? defaultStateDir(env);
  const step = options.step ?? (() => undefined);
  const targets = {
    host: deployTarget('host', { env, stateDir, command: 'list' }),
    swarm: deployTarget('swarm', { env, stateDir, command: 'list' }),
  };
  const records = withStateStore(stateDir, (store) => store.currentDeployments(targets.host.engine), {
    fallback: [] as DeploymentRecord[],
    onWarning: options.onWarning,
  }).filter((record) => options.repo === undefined || record.repo === options.repo);
  const now: DeploymentNow[] = [];
  for (const record of records) {
    const running = await targets[record.target ?? 'host'].running(record.name, step);
    now.push({ ...record, ...running, imageId: running.imageId ?? record.imageId });
  }
  return now;
}
