import {
  type BackendName,
  type Builder,
  type BuildRequest,
  defaultStateDir,
  type PluginOption,
} from '@devops-butler/core';
import { engineAddress } from '@devops-butler/engine-client';
import type { RetentionOptions } from '@devops-butler/plugin-retention';
import type { RemoteCacheMode, RemoteCacheOptions } from '@devops-butler/registry-cache';
import { hasForceMarker } from './force-marker.js';
import { type RemoteCacheSetting, remoteCacheMode } from './remote-cache-setting.js';

/** How a build is assembled around its request: the same for `butler build`, `butler deploy` and library callers. */
export interface BuildSettings {
  /** Which backend the default plugin set uses (default `dockerode`). */
  backend?: BackendName | undefined;
  /** The builder asked for (config `builder`); default: BuildKit wherever the backend has it. */
  builder?: Builder | undefined;
  /** Plugins after the defaults; one with a default's name replaces it. */
  plugins?: readonly PluginOption[] | undefined;
  /** Only `plugins`, no defaults (then include a backend yourself). */
  replaceDefaultPlugins?: boolean | undefined;
  /** Retention after the build; `false` for none (a deploy runs its own once the swap is done). */
  retention?: RetentionOptions | false | undefined;
  /** The config's `remoteCache`; `remoteCacheFlag` (`--remote-cache`) and BUTLER_REMOTE_CACHE beat it. */
  remoteCache?: RemoteCacheSetting;
  remoteCacheFlag?: string | undefined;
  /** A failed push fails the build. */
  requirePush?: boolean | undefined;
  /**
   * The shared cache already resolved (as `butler deploy` resolves it): used as it is, every
   * option kept; `false` turns it off. Beats the three settings above.
   */
  remoteCacheOptions?: RemoteCacheOptions | false | undefined;
  /** Build even when the image exists (also BUTLER_FORCE_REBUILD, and a `butler force-rebuild` marker). */
  forceRebuild?: boolean | undefined;
  env?: NodeJS.ProcessEnv | undefined;
  /** Locks, stat cache and the state store (default: the XDG state folder). */
  stateDir?: string | undefined;
  lockTimeoutMs?: number | undefined;
}

/** Why a build is forced, in the order the rules are asked. */
export type ForceReason = 'request' | 'setting' | 'environment' | 'marker';

/**
 * Every setting of one build decided: defaults filled, flag over environment over config applied,
 * the force rules asked. What `runBuild` acts on; nothing after this reads `env` for a setting.
 */
export interface ResolvedBuildSettings {
  env: NodeJS.ProcessEnv;
  stateDir: string;
  /** The engine's address: it names this build's records (the state store keeps engines apart). */
  engine: string | undefined;
  backend: BackendName | undefined;
  /** Undefined: the backend picks (BuildKit wherever the engine has it). */
  builder: Builder | undefined;
  plugins: readonly PluginOption[];
  replaceDefaultPlugins: boolean;
  /** `false`: no retention after this build. */
  retention: RetentionOptions | false;
  /** The shared cache with its mode decided, or `false` when the build stays local. */
  remoteCache: (RemoteCacheOptions & { mode: RemoteCacheMode }) | false;
  /** Undefined when the build may reuse. */
  forced: ForceReason | undefined;
  /** A `butler force-rebuild` marker exists: it goes once this build succeeded. */
  forceMarker: boolean;
  lockTimeoutMs: number | undefined;
}

/** Resolves a build's settings once, for the request it builds (its registry decides the shared cache). */
export async function resolveBuildSettings(
  request: Pick<BuildRequest, 'registry' | 'repo' | 'force'>,
  settings: BuildSettings = {},
): Promise<ResolvedBuildSettings> {
  const env = settings.env ?? process.env;
  const stateDir = settings.stateDir ?? defaultStateDir(env);
  const forceMarker = await hasForceMarker(stateDir, request.repo);
  const remote = resolveRemoteCache(request.registry, settings, env);
  return {
    env,
    stateDir,
    engine: engineAddress(env),
    backend: settings.backend,
    builder: settings.builder,
    plugins: settings.plugins ?? [],
    replaceDefaultPlugins: settings.replaceDefaultPlugins === true,
    retention:
      settings.retention === false || settings.retention?.auto === false ? false : (settings.retention ?? {}),
    remoteCache: remote && {
      // The docker-cli backend reaches registries the way the docker CLI does (its own credentials).
      via: settings.backend === 'docker-cli' ? 'docker-cli' : 'engine',
      env,
      requirePush: settings.requirePush === true,
      ...remote,
    },
    forced: request.force
      ? 'request'
      : settings.forceRebuild === true
        ? 'setting'
        : forcedByEnvironment(env)
          ? 'environment'
          : forceMarker
            ? 'marker'
            : undefined,
    forceMarker,
    lockTimeoutMs: settings.lockTimeoutMs,
  };
}

/** BUTLER_FORCE_REBUILD=true (or 1): every build is forced, as in the original tool. */
export function forcedByEnvironment(env: NodeJS.ProcessEnv): boolean {
  return env.BUTLER_FORCE_REBUILD === 'true' || env.BUTLER_FORCE_REBUILD === '1';
}

/**
 * The shared cache of a build to `registry`: settings already resolved as they are, else
 * `--remote-cache` over BUTLER_REMOTE_CACHE over the config (on by default with a registry).
 */
export function resolveRemoteCache(
  registry: string,
  settings: BuildSettings,
  env: NodeJS.ProcessEnv = settings.env ?? process.env,
): (RemoteCacheOptions & { mode: RemoteCacheMode }) | false {
  const given = settings.remoteCacheOptions;
  if (given === false) return false;
  if (given !== undefined) return { ...given, mode: given.mode ?? 'both' };
  const mode = remoteCacheMode(registry, settings.remoteCacheFlag, env, settings.remoteCache);
  return mode ? { mode } : false;
}
