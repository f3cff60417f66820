import { ButlerError, createLogger, defaultStateDir, type LogEntry, type Logger } from '@devops-butler/core';
import { endpointAddress } from '@devops-butler/engine-client';
import type { DeploymentRecord } from '@devops-butler/state-store';
import { goLive, settleDeployment } from './go-live.js';
import { type HostOutcome, type RolloutHost, rollOut, rolloutHosts } from './rollout.js';
import { assertContainerName } from './settings-rules.js';
import { type DeployedVersion, deploymentVersions, recordEngine, rollbackTarget } from './shared/history.js';
import type { DeployHost, DeploySettings } from './shared/settings.js';
import type { Placement, Release } from './target.js';
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
  /** With several hosts: what each ended with. */
  hosts?: HostOutcome[] | undefined;
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
  if (settings.hosts?.length)
    return rollbackHosts(name, settings.hosts, history, { ...options, env, stateDir, log, settings, appEnv });
  const deployedOn = deployTarget(recordedTarget(history), { env, stateDir, command: 'rollback' });
  // The versions that ran on this engine: another engine's history is not this one's way back.
  const here = history.filter((record) => recordEngine(record) === deployedOn.engine);
  if (here.length === 0) {
    const elsewhere = [...new Set(history.map(recordEngine))];
    throw new ButlerError('DEPLOYMENT_UNKNOWN', `${name} was not deployed on ${deployedOn.engine}`, {
      hint: `it was deployed on ${elsewhere.join(', ')}: butler rollback ${name} -H ${elsewhere[0]}`,
    });
  }
  await deployedOn.prepare();
  const { running, target } = rollbackTarget(name, deploymentVersions(here), options.to);
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
  const replaced = await goLive(deployedOn, stateDir, releaseOf(name, target), {
    settings,
    appEnv,
    graceSeconds: options.graceSeconds,
    settleMs: options.settleMs,
    log,
  });
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

/** The version put back, as a release. */
function releaseOf(name: string, version: DeployedVersion): Release {
  return {
    name,
    repo: version.repo,
    source: version.source,
    commit: version.commit,
    imageId: version.imageId,
    reference: version.reference,
    action: 'rollback',
  };
}

/**
 * A deployment on several hosts goes back on all of them, host by host, through the same rollout
 * as a deploy (each host pulls the version's image from the registry when it lacks it). The
 * versions are the first host's: every host ran the same ones.
 */
async function rollbackHosts(
  name: string,
  given: DeployHost[],
  history: DeploymentRecord[],
  run: RollbackOptions & {
    env: NodeJS.ProcessEnv;
    stateDir: string;
    log: Logger;
    settings: DeploySettings;
    appEnv: Record<string, string>;
  },
): Promise<RollbackResult> {
  const hosts = rolloutHosts(given, run.env, run.stateDir);
  for (const host of hosts) await host.target.prepare();
  const first = endpointAddress((hosts[0] as RolloutHost).endpoint);
  const own = history.filter((record) => recordEngine(record) === first);
  const { running, target } = rollbackTarget(name, deploymentVersions(own), run.to);
  run.log.info(
    `⏪ Rolling ${name} back to ${target.reference} on ${hosts.length} hosts, one after the other`,
  );
  const outcomes = await rollOut(hosts, releaseOf(name, target), {
    settings: run.settings,
    appEnv: run.appEnv,
    graceSeconds: run.graceSeconds,
    settleMs: run.settleMs,
    log: run.log,
    stateDir: run.stateDir,
    env: run.env,
  });
  const placed = (outcomes[0] as HostOutcome).placed as Placement;
  return {
    name,
    from: running,
    to: { ...target, ended: 'running', at: new Date().toISOString(), endedAt: undefined, rollback: true },
    placed,
    container: { id: placed.id, name: placed.name },
    hosts: outcomes,
    settings: run.settings,
  };
}
