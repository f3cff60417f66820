import { readFileSync } from 'node:fs';
import { ButlerError, type Logger, withTargetLock } from '@devops-butler/core';
import type { DeploymentRecord } from '@devops-butler/state-store';
import { deploymentLock } from './shared/locks.js';
import { readDeployment, recordDeploy } from './shared/records.js';
import { type DeploySettings, type GivenSettings, parseEnvFile, settleSettings } from './shared/settings.js';
import type { DeployTarget, GoLiveOutcome, GoLiveRun, Release } from './target.js';

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
 * Replaces what serves the deployment with `release` through `target`'s health-checked
 * replacement, under the deployment's lock and the image's (retention skips an image while its
 * lock is held), and records the attempt — the target and what it placed; on success the settings
 * become the remembered ones.
 */
export async function goLive(
  target: DeployTarget,
  stateDir: string,
  release: Release,
  run: GoLiveRun,
): Promise<GoLiveOutcome> {
  const { settings, log } = run;
  const { action, ...record } = release;
  const recorded = {
    ...record,
    target: target.kind,
    engine: target.engine,
    ...(action === 'rollback' ? { action } : {}),
  };
  let live: GoLiveOutcome;
  try {
    live = await withTargetLock(stateDir, deploymentLock(release.name), () =>
      withTargetLock(stateDir, release.reference, () => target.goLive(release, run)),
    );
  } catch (error) {
    recordDeploy(stateDir, { ...recorded, outcome: 'failed' }, log.warn);
    throw error;
  }
  recordDeploy(
    stateDir,
    {
      ...recorded,
      placed: live.placed.id,
      outcome: live.outcome,
      ...(live.pausedMs !== undefined ? { pausedMs: live.pausedMs } : {}),
    },
    log.warn,
    settings,
  );
  return live;
}
