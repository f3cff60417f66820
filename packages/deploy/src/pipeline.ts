import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runBuild } from '@devops-butler/build-image';
import {
  assertRepoName,
  type BackendName,
  type BuildRequest,
  type BuildResult,
  ButlerError,
  type ButlerEvent,
  configFileIn,
  createLogger,
  DEFAULT_DOCKERFILE,
  defaultStateDir,
  LABELS,
  type LogEntry,
  type Logger,
  type PluginOption,
  resolveRegistry,
  toRequest,
  withTargetLock,
} from '@devops-butler/core';
import {
  type ContainerSpec,
  endpointAddress,
  engineEndpoint,
  type Mount,
} from '@devops-butler/engine-client';
import type { RetentionOptions, RetentionReport } from '@devops-butler/plugin-retention';
import type { RemoteCacheOptions } from '@devops-butler/registry-cache';
import { cleanupAfterDeploy } from './cleanup.js';
import { goLive, settleDeployment } from './go-live.js';
import type { HealthOptions } from './host/health.js';
import {
  assertRolloutRegistry,
  type HostOutcome,
  type RolloutHost,
  rollOut,
  rolloutHosts,
} from './rollout.js';
import { checkout } from './shared/checkout.js';
import { type DeploySource, parseSource } from './shared/git-source.js';
import { checkoutLock } from './shared/locks.js';
import { ensurePublished, registryAuthFor } from './shared/publish.js';
import type { DeployHost, DeploySettings, GivenSettings } from './shared/settings.js';
import type { DeployTarget, GoLiveOutcome, Placement, Release } from './target.js';
import { deployTarget } from './targets.js';

export { DEFAULT_NETWORK } from './shared/settings.js';

/** What a trusted repository config may set for its deploy build. */
export interface RepositoryConfig {
  /** The image repository (`--repo` still wins); the deployment keeps its name. */
  repo?: string | undefined;
  backend?: BackendName | undefined;
  builder?: 'buildkit' | 'classic' | undefined;
  /** Plugins after the defaults (a default's name replaces it), as in a butler config. */
  plugins?: PluginOption[] | undefined;
  replaceDefaultPlugins?: boolean | undefined;
  dockerfile?: string | undefined;
  buildArgs?: Record<string, string> | undefined;
  target?: string | undefined;
  platform?: string | undefined;
  retention?: RetentionOptions | undefined;
  /** How it deploys (`swarm: true`: as a Swarm service; `hosts`); the command line's flags win. */
  deploy?: Pick<DeploySettings, 'swarm' | 'replicas' | 'healthCmd' | 'publishMode' | 'hosts'> | undefined;
}

export interface DeployOptions {
  /** Branch, tag or commit (default: the remote's HEAD; a local folder as it is). */
  ref?: string | undefined;
  /** Container name (default: the repository name). */
  name?: string | undefined;
  /** Image repository name (default: from the URL or the folder's name). */
  repo?: string | undefined;
  /**
   * Published through the deployment's front; hostIp defaults to 127.0.0.1. This and the other
   * settings below, when not given, are the ones the deployment's last deploy had (`reset` forgets them).
   */
  ports?: ContainerSpec['ports'] | undefined;
  env?: Record<string, string> | undefined;
  /** An env file (docker's format), read at every deploy and rollback; `-e` values win over it. */
  envFile?: string | undefined;
  /** Named volumes and bind mounts (absolute host paths). */
  mounts?: Mount[] | undefined;
  network?: string | undefined;
  /** How many of the deployment's last versions keep their images for rollback (default 3). */
  keepVersions?: number | undefined;
  /** Run as a Swarm service on the engine (a swarm manager) instead of Butler's container swap. */
  swarm?: boolean | undefined;
  /** Swarm: how many tasks (default 1). */
  replicas?: number | undefined;
  /** Several hosts (Kamal's model): the same swap on each engine; remembered. */
  hosts?: DeployHost[] | undefined;
  /** With several hosts: how many are deployed at once (default 1: one after the other). */
  parallel?: number | undefined;
  /** Swarm: publish through the routing mesh (`ingress`, default) or on each task's node (`host`). */
  publishMode?: 'ingress' | 'host' | undefined;
  /** Forget the remembered settings: only what this call gives (and the defaults) applies. */
  reset?: boolean | undefined;
  /** Build even when the image exists, and replace the container even when it runs that image. */
  force?: boolean | undefined;
  registry?: string | undefined;
  /**
   * Share the build cache through the registry (reuse its images, push what was built): on by
   * default when a registry other than `local-registry` is set; false turns it off.
   */
  remoteCache?: RemoteCacheOptions | false | undefined;
  /** Plugins for the build (default: the same set `butler build` uses, without retention). */
  plugins?: PluginOption[] | undefined;
  /**
   * Reads the repository's own config. Only given when the user trusts the repository
   * (`--trust-config`): a config file is code, and a cloned repository is someone else's.
   */
  trustedConfig?: ((dir: string, file: string) => Promise<RepositoryConfig>) | undefined;
  /** Retention for the repository after the deploy; false turns it off. */
  retention?: RetentionOptions | false | undefined;
  health?: HealthOptions | undefined;
  graceSeconds?: number | undefined;
  drainMs?: number | undefined;
  /** How long the front holds a new connection while no container takes it (default 15 s), then 503. */
  holdMs?: number | undefined;
  cwd?: string | undefined;
  processEnv?: NodeJS.ProcessEnv | undefined;
  stateDir?: string | undefined;
  /** The build's own events (`butler build` prints them the same way). */
  onBuildEvent?: ((event: ButlerEvent) => void) | undefined;
  /** Called once the image is built or reused, before the container is replaced. */
  onBuilt?: ((result: BuildResult) => void) | undefined;
  /** The deploy's messages, one per step (`info`) and what went wrong on the way (`warn`). */
  onLog?: ((entry: LogEntry) => void) | undefined;
}

export interface DeployResult {
  name: string;
  repo: string;
  /** The URL without credentials, or the folder. */
  source: string;
  commit: string | undefined;
  build: BuildResult;
  outcome: GoLiveOutcome['outcome'];
  /** What runs it now: a container (`target: 'host'`) or a service. */
  placed: Placement;
  /** @deprecated the container's ID and name: `placed` says the same for every target. */
  container: { id: string; name: string };
  replaced: GoLiveOutcome['replaced'];
  /** A volume handover's pause in ms (the service held new connections meanwhile); absent without one. */
  pausedMs?: number | undefined;
  ports: ContainerSpec['ports'];
  network: string;
  /** What it runs with (given now, or remembered from the last deploy). */
  settings: DeploySettings;
  /** Retention on the engine it runs on (the first host's, with several). */
  cleanup: RetentionReport | undefined;
  /** With several hosts: what each ended with (and its retention report). */
  hosts?: HostOutcome[] | undefined;
}

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

/** The settings this call gives (undefined: not given, the remembered one holds). */
function givenSettings(options: DeployOptions): GivenSettings {
  return {
    network: options.network,
    ports: options.ports,
    env: options.env,
    envFile: options.envFile,
    mounts: options.mounts,
    healthPath: options.health?.path,
    healthTimeoutMs: options.health?.timeoutMs,
    drainMs: options.drainMs,
    holdMs: options.holdMs,
    keepVersions: options.keepVersions,
    swarm: options.swarm,
    replicas: options.replicas,
    hosts: options.hosts,
    healthCmd: options.health?.cmd,
    publishMode: options.publishMode,
  };
}

/** Brings the source to the ref and builds it (or reuses the image), recording the decision. */
async function fetchAndBuild(
  source: DeploySource,
  repo: string,
  shown: string,
  options: DeployOptions,
  {
    env,
    stateDir,
    log,
    beforeBuild,
  }: {
    env: NodeJS.ProcessEnv;
    stateDir: string;
    log: Logger;
    /** Called with the repository's config (empty unless trusted) once it is read, before the build. */
    beforeBuild: (config: RepositoryConfig) => Promise<void>;
  },
): Promise<{
  build: BuildResult;
  commit: string | undefined;
  repo: string;
  retention: RetentionOptions | undefined;
}> {
  log.info(
    `📥 ${source.kind === 'git' ? 'Fetching' : 'Using'} ${shown}${options.ref ? ` at ${options.ref}` : ''}`,
  );
  const { dir, commit, dirty } = await checkout(source, options.ref, stateDir);
  if (commit) log.info(`📌 Commit ${commit}`);
  if (dirty)
    log.warn(
      `${dir} has uncommitted changes: they are built, and the revision label names ${commit?.slice(0, 12)}`,
    );

  const repoConfig = await repositoryConfig(dir, options, log);
  await beforeBuild(repoConfig);
  // `--repo` names the image; else a trusted config's `repo`; else the source's name.
  if (options.repo === undefined && repoConfig.repo !== undefined && repoConfig.repo !== repo) {
    assertRepoName(repoConfig.repo);
    log.info(`🏷️ Image repository ${repoConfig.repo}, from the repository's config`);
    repo = repoConfig.repo;
  }
  const request: BuildRequest = toRequest({
    context: dir,
    dockerfile: repoConfig.dockerfile ?? DEFAULT_DOCKERFILE,
    registry: resolveRegistry(options.registry, env),
    repo,
    buildArgs: repoConfig.buildArgs ?? {},
    target: repoConfig.target,
    platform: repoConfig.platform,
    force: options.force ?? false,
    labels: { [LABELS.source]: shown, ...(commit ? { [LABELS.revision]: commit } : {}) },
  });
  if (!existsSync(join(dir, request.dockerfile))) {
    throw new ButlerError(
      'DOCKERFILE_MISSING',
      `${shown} has no ${request.dockerfile}${commit ? ` at ${commit.slice(0, 12)}` : ''}`,
      {
        hint: 'deploy a repository with a Dockerfile at its top (or name another ref)',
      },
    );
  }
  // The product build `butler build` runs: force rules (--force, BUTLER_FORCE_REBUILD, a
  // force-rebuild marker), the shared cache, the record. Retention waits until after the swap.
  const remote = options.remoteCache;
  // A trusted config's plugins come after the defaults (as in `butler build`); the caller's
  // `plugins` option is a whole set.
  const trusted = repoConfig.plugins !== undefined || repoConfig.replaceDefaultPlugins !== undefined;
  const build = await runBuild(request, {
    backend: repoConfig.backend,
    builder: repoConfig.builder,
    plugins: trusted ? repoConfig.plugins : options.plugins,
    replaceDefaultPlugins: trusted ? repoConfig.replaceDefaultPlugins : options.plugins !== undefined,
    retention: false,
    // Resolved once by the caller: every option reaches the shared cache as it was given.
    remoteCacheOptions: remote,
    forceRebuild: options.force,
    env,
    stateDir,
    onEvent: options.onBuildEvent,
  });
  options.onBuilt?.(build);
  return { build, commit, repo, retention: repoConfig.retention };
}

/** The repository's config when trusted; otherwise the defaults, and a line saying a config was skipped. */
async function repositoryConfig(dir: string, options: DeployOptions, log: Logger): Promise<RepositoryConfig> {
  const file = configFileIn(dir);
  if (!file) return {};
  if (options.trustedConfig) {
    log.info(`⚙️ Using the repository's ${file} (trusted)`);
    return options.trustedConfig(dir, join(dir, file));
  }
  log.warn(
    `Not running the repository's ${file} (it is code); building the Dockerfile with the default plugins — pass --trust-config to use it`,
  );
  return {};
}

/** The repository config's deploy section over the remembered settings; flags given now win over both. */
function withRepositoryDeploy(
  settings: DeploySettings,
  deploy: RepositoryConfig['deploy'],
  given: GivenSettings,
): DeploySettings {
  const merged = { ...settings };
  for (const [key, value] of Object.entries(deploy ?? {}) as [
    keyof NonNullable<RepositoryConfig['deploy']>,
    never,
  ][]) {
    if (value !== undefined && given[key] === undefined) merged[key] = value;
  }
  return merged;
}

/** Settings that only one kind of target has are refused on the other, in one line. */
function assertTargetSettings(settings: DeploySettings): void {
  const wrong = (flag: string, why: string, hint: string): never => {
    throw new ButlerError('CONFIG_INVALID', `${flag} ${why}`, { hint });
  };
  if (settings.swarm) {
    if (settings.hosts?.length) {
      wrong(
        '--host (several)',
        'and --swarm contradict each other',
        'a swarm places tasks on its nodes itself: name its manager once (--host or DOCKER_HOST)',
      );
    }
    if (settings.healthPath !== undefined) {
      wrong(
        '--health-path',
        'is the container swap’s check; a Swarm service is checked in its container',
        'use --health-cmd "wget -qO- http://localhost:PORT/up" (or the image’s HEALTHCHECK)',
      );
    }
    return;
  }
  if (settings.replicas !== undefined)
    wrong('--replicas', 'needs --swarm', 'deploy with --swarm to a swarm manager, or drop --replicas');
  if (settings.publishMode !== undefined)
    wrong('--publish-mode', 'needs --swarm', 'drop it: the container swap publishes through its front');
  if (settings.healthCmd !== undefined)
    wrong('--health-cmd', 'needs --swarm', 'use --health-path, or a HEALTHCHECK in the Dockerfile');
}

/** Docker's container name grammar; the front and candidate names add a suffix to it. */
export function assertContainerName(name: string): void {
  if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,120}$/.test(name)) {
    throw new ButlerError('NAME_INVALID', `"${name}" is not a valid container name`, {
      hint: 'use letters, digits, "_", "." and "-", starting with a letter or digit',
    });
  }
}
