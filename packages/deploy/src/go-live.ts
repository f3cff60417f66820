import { readFileSync } from 'node:fs';
import { ButlerError, LABELS, type Logger, withTargetLock } from '@devops-butler/core';
import {
  type EngineEndpoint,
  endpointAddress,
  engineEndpoint,
  isLocalEndpoint,
} from '@devops-butler/engine-client';
import type { DeploymentRecord } from '@devops-butler/state-store';
import { readDeployment, recordDeploy } from './records.js';
import { deploymentLock, type ReplaceResult, replaceContainer } from './replace.js';
import { type DeploySettings, type GivenSettings, parseEnvFile, settleSettings } from './settings.js';

/**
 * This run's settings for a deployment: what the command line gave, the rest remembered from its
 * last deploy (said in one line; `reset` forgets them). Also reads the env file, so a missing one
 * fails before anything is built.
 */
export function settleDeployment(
  stateDir: string,
  name: string,
  given: GivenSettings,
  { reset, processEnv, log }: { reset?: boolean | undefined; processEnv: NodeJS.ProcessEnv; log: Logger },
): { settings: DeploySettings; appEnv: Record<string, string>; history: DeploymentRecord[] } {
  const known = readDeployment(stateDir, name, log.warn);
  const { settings, kept } = settleSettings(reset ? undefined : known.settings, given);
  if (kept.length > 0) log.info(`📎 Kept from the last deploy of ${name}: ${kept.join(' ')}`);
  if (settings.healthPath !== undefined && settings.ports.length === 0) {
    throw new ButlerError(
      'CONFIG_INVALID',
      `--health-path ${settings.healthPath} needs a published port to ask on`,
      {
        hint: 'publish one with --port HOST:CONTAINER',
      },
    );
  }
  return { settings, appEnv: appEnvironment(settings, processEnv), history: known.history };
}

/** The app's environment: the env file's values, then `-e` (which wins, as with docker run). */
export function appEnvironment(
  settings: DeploySettings,
  processEnv: NodeJS.ProcessEnv,
): Record<string, string> {
  if (!settings.envFile) return settings.env;
  let text: string;
  try {
    text = readFileSync(settings.envFile, 'utf8');
  } catch (error) {
    throw new ButlerError(
      'CONFIG_INVALID',
      `the env file ${settings.envFile} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      { hint: 'put it back, or name another with --env-file (an empty --env-file "" drops it)' },
    );
  }
  return { ...parseEnvFile(text, settings.envFile, processEnv), ...settings.env };
}

/**
 * The engine a deploy or rollback runs on. Its health checks and front reach the app through
 * ports published on 127.0.0.1, so for now the engine must be this machine's: a remote one (ssh://,
 * another host's tcp://) is refused in one line before anything is built.
 */
export function localDeployEndpoint(env: NodeJS.ProcessEnv, command: 'deploy' | 'rollback'): EngineEndpoint {
  const endpoint = engineEndpoint(env);
  if (!isLocalEndpoint(endpoint)) {
    throw new ButlerError(
      'ENGINE_UNREACHABLE',
      `butler ${command} runs against an engine on this machine for now, and ${endpointAddress(endpoint)} is another one (its health checks reach the app on 127.0.0.1)`,
      { hint: `run butler ${command} on that host (ssh there), or build here and ${command} there` },
    );
  }
  return endpoint;
}

/** One version going live: what the state store records about it. */
export interface Release {
  name: string;
  repo: string;
  source: string;
  commit: string | undefined;
  imageId: string;
  reference: string;
  action: 'deploy' | 'rollback';
}

/**
 * Replaces the deployment's container with `release`'s image through the health-checked swap,
 * under the deployment's lock and the image's (retention skips an image while its lock is held),
 * and records the attempt; on success the settings become the remembered ones.
 */
export async function goLive(
  endpoint: EngineEndpoint,
  stateDir: string,
  release: Release,
  run: {
    settings: DeploySettings;
    appEnv: Record<string, string>;
    force?: boolean | undefined;
    graceSeconds?: number | undefined;
    settleMs?: number | undefined;
    log: Logger;
  },
): Promise<ReplaceResult> {
  const { settings, log } = run;
  const { action, ...record } = release;
  const recorded = { ...record, ...(action === 'rollback' ? { action } : {}) };
  let replaced: ReplaceResult;
  try {
    replaced = await withTargetLock(stateDir, deploymentLock(release.name), () =>
      withTargetLock(stateDir, release.reference, () =>
        replaceContainer(endpoint, {
          name: release.name,
          image: release.imageId,
          network: settings.network,
          env: run.appEnv,
          mounts: settings.mounts,
          ports: settings.ports,
          labels: {
            [LABELS.repo]: release.repo,
            [LABELS.source]: release.source,
            ...(release.commit ? { [LABELS.revision]: release.commit } : {}),
          },
          health: {
            ...(run.settleMs === undefined ? {} : { settleMs: run.settleMs }),
            ...(settings.healthTimeoutMs === undefined ? {} : { timeoutMs: settings.healthTimeoutMs }),
            ...(settings.healthPath === undefined ? {} : { path: settings.healthPath }),
          },
          graceSeconds: run.graceSeconds,
          drainMs: settings.drainMs,
          holdMs: settings.holdMs,
          force: run.force,
          onStep: (message) => log.info(message),
        }),
      ),
    );
  } catch (error) {
    recordDeploy(stateDir, { ...recorded, outcome: 'failed' }, log.warn);
    throw error;
  }
  recordDeploy(
    stateDir,
    {
      ...recorded,
      containerId: replaced.container.id,
      outcome: replaced.outcome,
      ...(replaced.pausedMs !== undefined ? { pausedMs: replaced.pausedMs } : {}),
    },
    log.warn,
    settings,
  );
  return replaced;
}
