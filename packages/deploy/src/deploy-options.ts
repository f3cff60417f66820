import type { BackendName, BuildResult, ButlerEvent, LogEntry, PluginOption } from '@devops-butler/core';
import type { ContainerSpec, Mount } from '@devops-butler/engine-client';
import type { RetentionOptions, RetentionReport } from '@devops-butler/plugin-retention';
import type { RemoteCacheOptions } from '@devops-butler/registry-cache';
import type { HealthOptions } from './host/health.js';
import type { HostOutcome } from './rollout.js';
import type { DeployHost, DeploySettings } from './shared/settings.js';
import type { GoLiveOutcome, Placement } from './target.js';

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
  /** The shared cache (as `butler build` reads it); `--remote-cache` and BUTLER_REMOTE_CACHE beat it. */
  remoteCache?: boolean | 'pull' | 'push' | undefined;
  /** A failed push fails the deploy's build. */
  requirePush?: boolean | undefined;
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
  /**
   * `--remote-cache` as given: resolved with BUTLER_REMOTE_CACHE and a trusted config's
   * `remoteCache` by the build's one resolver. `remoteCache`, when given, beats it.
   */
  remoteCacheFlag?: string | undefined;
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
