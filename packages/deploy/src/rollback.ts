import { ButlerError, createLogger, defaultStateDir, type LogEntry } from '@devops-butler/core';
import { goLive, settleDeployment } from './go-live.js';
import { assertContainerName } from './pipeline.js';
import { type DeployedVersion, deploymentVersions, rollbackTarget } from './shared/history.js';
import type { DeploySettings } from './shared/settings.js';
import type { Placement } from './target.js';
import { deployTarget, recordedTarget } from './targets.js';

export interface RollbackOptions {
  /** A commit, image tag or image ID prefix (default: the version that ran before the current one). */
  to?: string | undefined;
  /** How long the old version has to become healthy again (default: the deployment's own). */
  healthTimeoutMs?: number | undefined;
  graceSeconds?: number | undefined;
  settleMs?: number | undefined;
  stateDir?: string | undefined;
  processEnv?: NodeJS.ProcessEnv | undefined;
  /** One message per step (`info`), and what went wrong on the way (`warn`). */
  onLog?: ((entry: LogEntry) => void) | undefined;
}

export interface RollbackResult {
  name: string;
  /** The version that ran before the rollback. */
  from: DeployedVersion;
  /** The version that runs now. */
  to: DeployedVersion;
  /** What runs it now: a container (`target: 'host'`) or a service. */
  placed: Placement;
  /** @deprecated the container's ID and name: `placed` says the same for every target. */
  container: { id: string; name: string };
  /** A volume handover's pause in ms; absent without one. */
  pausedMs?: number | undefined;
  settings: DeploySettings;
}

/**
 * `butler rollback`: puts an earlier version of a deployment back, through the same health-checked
 * swap as a deploy (an unhealthy old version leaves the current one serving), with the
 * deployment's remembered ports, env and volumes. Its image must still be on the engine.
 */
export async function rollback(name: string, options: RollbackOptions = {}): Promise<RollbackResult> {
  assertContainerName(name);
  const env = options.processEnv ?? process.env;
  const log = createLogger('butler:deploy', options.onLog ?? (() => undefined));
  const stateDir = options.stateDir ?? defaultStateDir(env);
  const { settings, appEnv, history } = settleDeployment(
    stateDir,
    name,
    { healthTimeoutMs: options.healthTimeoutMs },
    { processEnv: env, log },
  );
  if (history.length === 0) {
    throw new ButlerError('DEPLOYMENT_UNKNOWN', `no deployment named ${name} is recorded on this machine`, {
      hint: 'butler deployments lists them',
    });
  }
  const deployedOn = deployTarget(recordedTarget(history), { env, stateDir, command: 'rollback' });
  await deployedOn.prepare();
  const { running, target } = rollbackTarget(name, deploymentVersions(history), options.to);
  const commit = target.commit ? ` (commit ${target.commit.slice(0, 12)})` : '';
  if (!(await deployedOn.canPlace(target))) {
    throw new ButlerError(
      'ROLLBACK_UNAVAILABLE',
      `the image of ${name}'s version ${target.reference}${commit} is no longer on this engine`,
      {
        hint: target.commit
          ? `deploy that commit again: butler deploy ${target.source} --ref ${target.commit}`
          : `deploy ${target.source} again`,
      },
    );
  }
  log.info(`⏪ Rolling ${name} back to ${target.reference}${commit}, which went live ${target.at}`);
  const replaced = await goLive(
    deployedOn,
    stateDir,
    {
      name,
      repo: target.repo,
      source: target.source,
      commit: target.commit,
      imageId: target.imageId,
      reference: target.reference,
      action: 'rollback',
    },
    { settings, appEnv, graceSeconds: options.graceSeconds, settleMs: options.settleMs, log },
  );
  const live = {
    ended: 'running' as const,
    at: new Date().toISOString(),
    endedAt: undefined,
    rollback: true as const,
  };
  return {
    name,
    from: running,
    to: { ...target, ...live },
    placed: replaced.placed,
    container: { id: replaced.placed.id, name: replaced.placed.name },
    ...(replaced.pausedMs !== undefined ? { pausedMs: replaced.pausedMs } : {}),
    settings,
  };
}
