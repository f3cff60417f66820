import { ButlerError, defaultStateDir, withTargetLock } from '@devops-butler/core';
import { rolloutHosts } from './rollout.js';
import { assertContainerName } from './settings-rules.js';
import { recordEngine } from './shared/history.js';
import { deploymentLock } from './shared/locks.js';
import { readDeployment, recordDeploy } from './shared/records.js';
import type { DeployTarget, RemovedDeployment, TargetKind } from './target.js';
import { deployTarget, recordedTarget } from './targets.js';

export interface UndeployOptions {
  /** Seconds the app gets to finish after SIGTERM (default 10). */
  graceSeconds?: number | undefined;
  /** Remove the deployment's anonymous volumes too (named ones are the user's and always stay). */
  removeVolumes?: boolean | undefined;
  stateDir?: string | undefined;
  processEnv?: NodeJS.ProcessEnv | undefined;
  /** What went wrong on the way that did not stop the undeploy (an unwritable state store). */
  onWarning?: ((message: string) => void) | undefined;
}

/**
 * `butler undeploy`: removes what a deployment placed on the target its history names (waiting
 * for a deploy of the same name to finish), and records it. Nothing of that name: DEPLOYMENT_UNKNOWN.
 */
export async function undeploy(
  name: string,
  options: UndeployOptions = {},
): Promise<RemovedDeployment & { target: TargetKind }> {
  assertContainerName(name);
  const env = options.processEnv ?? process.env;
  const stateDir = options.stateDir ?? defaultStateDir(env);
  const warn = options.onWarning ?? (() => undefined);
  const { history, settings } = readDeployment(stateDir, name, warn);
  // A deployment to several hosts goes from each; any other from the engine the environment names.
  const targets = settings?.hosts?.length
    ? rolloutHosts(settings.hosts, env, stateDir).map((host) => host.target)
    : [deployTarget(recordedTarget(history), { env, stateDir, command: 'undeploy' })];
  const removed: RemovedDeployment = { containers: 0, keptVolumes: [] };
  for (const target of targets) {
    const gone = await withTargetLock(stateDir, deploymentLock(name), () =>
      target.remove(name, {
        graceSeconds: options.graceSeconds ?? 10,
        removeVolumes: options.removeVolumes === true,
      }),
    );
    removed.containers += gone.containers;
    removed.keptVolumes = [...new Set([...removed.keptVolumes, ...gone.keptVolumes])];
    // Recorded on the engine it left: each engine keeps its own history.
    const last = history.find(
      (record) => record.outcome !== 'failed' && recordEngine(record) === target.engine,
    );
    if (last && last.outcome !== 'undeployed') {
      const { at: _at, ...kept } = last;
      recordDeploy(stateDir, { ...kept, engine: target.engine, outcome: 'undeployed' }, warn);
    }
  }
  if (removed.containers === 0) {
    throw new ButlerError('DEPLOYMENT_UNKNOWN', `no deployment named "${name}" is running`, {
      hint: 'butler list shows the deployments',
    });
  }
  return { ...removed, target: (targets[0] as DeployTarget).kind };
}
