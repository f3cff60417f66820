import {
  assertRepoName,
  createLogger,
  defaultStateDir,
  resolveRegistry,
  withTargetLock,
} from '@devops-butler/core';
import { engineEndpoint } from '@devops-butler/engine-client';
import { cleanupAfterDeploy } from './cleanup.js';
import { fetchAndBuild } from './deploy-build.js';
import type { DeployOptions, DeployResult, RepositoryConfig } from './deploy-options.js';
import { goLive, settleDeployment } from './go-live.js';
import {
  assertRolloutRegistry,
  type HostOutcome,
  type RolloutHost,
  rollOut,
  rolloutHosts,
} from './rollout.js';
import {
  assertContainerName,
  assertTargetSettings,
  givenSettings,
  withRepositoryDeploy,
} from './settings-rules.js';
import { parseSource } from './shared/git-source.js';
import { checkoutLock } from './shared/locks.js';
import { ensurePublished, registryAuthFor } from './shared/publish.js';
import type { DeployTarget, Placement, Release } from './target.js';
import { deployTarget } from './targets.js';

export type { DeployOptions, DeployResult, RepositoryConfig } from './deploy-options.js';
export { assertContainerName } from './settings-rules.js';
export { DEFAULT_NETWORK } from './shared/settings.js';

/**
 * `butler deploy` as a function: fetch the source, build with reuse, replace the running
 * container once the new one is healthy, apply retention, record the deployment.
 */
export async function runPipeline(sourceText: string, options: DeployOptions = {}): Promise<DeployResult> {
  const env = options.processEnv ?? process.env;
  const log = createLogger('butler:deploy', options.onLog ?? (() => undefined));
  const stateDir = options.stateDir ?? defaultStateDir(env);
  const source = parseSource(sourceText, options.cwd ?? process.cwd());
  if (options.repo !== undefined) assertRepoName(options.repo);
  const repo = options.repo ?? source.repo;
  const name = options.name ?? repo;
  assertContainerName(name);
  const shown = source.kind === 'git' ? source.displayUrl : source.dir;
  const given = givenSettings(options);
  const settled = settleDeployment(stateDir, name, given, { reset: options.reset, processEnv: env, log });
  const { appEnv } = settled;
  let settings = settled.settings;
  // Chosen once the repository's trusted config is read (its `deploy` section may say swarm), and
  // checked before anything is built.
  let target: DeployTarget | undefined;
  let hosts: RolloutHost[] | undefined;
  const registry = resolveRegistry(options.registry, env);
  const chooseTarget = async (config: RepositoryConfig) => {
    settings = withRepositoryDeploy(settings, config.deploy, given);
    assertTargetSettings(settings);
    target = deployTarget(settings.swarm ? 'swarm' : 'host', { env, stateDir, command: 'deploy', registry });
    if (settings.hosts?.length) {
      hosts = rolloutHosts(settings.hosts, env, stateDir);
      assertRolloutRegistry(hosts, registry, engineEndpoint(env));
      // Every host is reached (and checked) before anything is built.
      for (const host of hosts) await host.target.prepare();
    } else await target.prepare();
  };

  // A checkout folder serves one deploy at a time: another deploy of the same repository (another
  // ref, say) must not move its files while this build reads them.
  const fetchAndBuildHere = () =>
    fetchAndBuild(source, repo, shown, options, { env, stateDir, log, beforeBuild: chooseTarget });
  const {
    build,
    commit,
    repo: builtRepo,
    retention: repoRetention,
  } = source.kind === 'git' || options.ref
    ? await withTargetLock(stateDir, checkoutLock(shown), fetchAndBuildHere)
    : await fetchAndBuildHere();
  if (!target) throw new Error('the deploy target was not chosen before the build');

  const release: Release = {
    name,
    repo: builtRepo,
    source: shown,
    commit,
    imageId: build.image.id,
    reference: build.target.reference,
    action: 'deploy',
  };
  const run = {
    settings,
    appEnv,
    force: options.force,
    graceSeconds: options.graceSeconds,
    settleMs: options.health?.settleMs,
    log,
  };
  const retention = options.retention === false ? undefined : { ...repoRetention, ...options.retention };
  const cleanupRun = {
    retention,
    repo: builtRepo,
    registry: build.target.registry,
    imageId: build.image.id,
    stateDir,
    env,
  };
  if (hosts) {
    const builder = engineEndpoint(env);
    await ensurePublished(
      builder,
      release.reference,
      await registryAuthFor(release.reference, env),
      log.info,
    );
    const outcomes = await rollOut(hosts, release, {
      ...run,
      stateDir,
      env,
      parallel: options.parallel,
      cleanup: (host, live) => cleanupAfterDeploy(host.endpoint, host.target, live, cleanupRun),
    });
    const first = outcomes[0] as HostOutcome;
    const placed = first.placed as Placement;
    return {
      name,
      repo: builtRepo,
      source: shown,
      commit,
      build,
      outcome: outcomes.some((o) => o.outcome === 'deployed') ? 'deployed' : 'unchanged',
      placed,
      container: { id: placed.id, name: placed.name },
      replaced: undefined,
      hosts: outcomes,
      ports: settings.ports,
      network: settings.network,
      settings,
      cleanup: first.cleanup,
    };
  }

  const replaced = await goLive(target, stateDir, release, run);
  const cleanup = await cleanupAfterDeploy(engineEndpoint(env), target, replaced, cleanupRun);
  return {
    name,
    repo: builtRepo,
    source: shown,
    commit,
    build,
    outcome: replaced.outcome,
    placed: replaced.placed,
    container: { id: replaced.placed.id, name: replaced.placed.name },
    replaced: replaced.replaced,
    ...(replaced.pausedMs !== undefined ? { pausedMs: replaced.pausedMs } : {}),
    ports: settings.ports,
    network: settings.network,
    settings,
    cleanup,
  };
}
