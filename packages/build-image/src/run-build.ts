import {
  type BackendName,
  type Builder,
  type BuildRequest,
  type BuildResult,
  ButlerError,
  type ButlerEvent,
  createButler,
  defaultStateDir,
  type PluginOption,
} from '@devops-butler/core';
import { chooseBuilder, defaultPlugins, withConfigPlugins } from '@devops-butler/default-plugins';
import { type BuilderChoice, describeBuilder, engineAddress } from '@devops-butler/engine-client';
import { type RetentionOptions, type RetentionReport, retention } from '@devops-butler/plugin-retention';
import type { RemoteCacheMessage, RemoteCacheMode, RemoteCacheOptions } from '@devops-butler/registry-cache';
import {
  builtImageIdsIn,
  lastUsedIn,
  recordBuildFailure,
  recordBuilds,
  rollbackImageIdsIn,
} from '@devops-butler/state-store';
import { clearForceMarker, hasForceMarker } from './force-marker.js';
import { type RemoteCacheSetting, remoteCacheMode } from './remote-cache-setting.js';
import { retentionInputs } from './retention-inputs.js';

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
  onEvent?: ((event: ButlerEvent) => void) | undefined;
  onRetentionReport?: ((report: RetentionReport) => void) | undefined;
}

export interface RunBuildResult extends BuildResult {
  /** Which builder the build was hashed (and, on a miss, built) for, and why. */
  builder: BuilderChoice;
  /** Retention's report, when it ran. */
  cleanup?: RetentionReport | undefined;
  /** The shared cache's mode and messages, when a registry cache took part. */
  remoteCache?: { mode: RemoteCacheMode; messages: RemoteCacheMessage[] } | undefined;
}

/**
 * One product build: the default plugins and the caller's, the shared cache where a registry is
 * set, the force rules, retention of the repository afterwards, and the record in the state store
 * (on Butler's `done` hook). `butler build`, `butler deploy` and `buildImage` all run this.
 */
export async function runBuild(request: BuildRequest, settings: BuildSettings = {}): Promise<RunBuildResult> {
  const env = settings.env ?? process.env;
  const stateDir = settings.stateDir ?? defaultStateDir(env);
  // Asked first (one `/_ping`), answered while the plugins load; needed before hashing.
  const choosing: Promise<BuilderChoice> = request.builder
    ? Promise.resolve({ builder: request.builder, reason: 'the request names it' })
    : chooseBuilder(settings.backend, settings.builder, env);
  // Settled even if the plugins fail to load first: a rejection must not go unhandled.
  choosing.catch(() => undefined);
  // The engine's address names this build's records (the state store keeps engines apart).
  const engine = engineAddress(env);
  const reports: RetentionReport[] = [];
  const messages: RemoteCacheMessage[] = [];
  const resolved = settings.remoteCacheOptions;
  const mode =
    resolved === undefined
      ? remoteCacheMode(request.registry, settings.remoteCacheFlag, env, settings.remoteCache)
      : resolved === false
        ? undefined
        : (resolved.mode ?? 'both');
  const shared = mode
    ? [
        (await import('@devops-butler/registry-cache')).remoteCache({
          via: settings.backend === 'docker-cli' ? 'docker-cli' : 'engine',
          env,
          requirePush: settings.requirePush,
          ...(resolved || {}),
          mode,
        }),
      ]
    : [];
  const cleanup =
    settings.retention === false || settings.retention?.auto === false
      ? []
      : [
          await retentionPlugin(settings.retention ?? {}, stateDir, env, (report) => {
            reports.push(report);
            settings.onRetentionReport?.(report);
          }),
        ];
  const defaults = settings.replaceDefaultPlugins
    ? []
    : [...(await defaultPlugins(settings.backend)), ...shared, ...cleanup];
  const plugins = [
    ...withConfigPlugins(defaults, settings),
    recordBuilds({
      stateDir,
      engine,
      onWarning: (message) => settings.onEvent?.({ type: 'warning', message }),
    }),
  ];
  const marked = await hasForceMarker(stateDir, request.repo);
  const force = request.force || settings.forceRebuild === true || forcedByEnvironment(env) || marked;
  const onEvent = (event: ButlerEvent) => {
    // Progress is for the terminal; --json keeps what was said, not how far a transfer had come.
    if (
      event.type === 'log' &&
      event.entry.plugin === 'butler:remote-cache' &&
      event.entry.level !== 'progress'
    ) {
      const { level, message, data } = event.entry;
      messages.push({
        level: level === 'warn' ? 'warning' : level,
        text: message,
        ...(data ? { data } : {}),
      });
    }
    settings.onEvent?.(event);
  };
  // Chosen before hashing: the hash follows the builder that builds (and names it).
  const builder = await choosing;
  onEvent({
    type: 'log',
    entry: {
      level: 'debug',
      plugin: 'butler:build',
      message: describeBuilder(builder),
      data: { ...builder },
    },
  });
  const started = Date.now();
  const result = await createButler({ plugins, stateDir })
    .build(
      { ...request, force, builder: builder.builder },
      { onEvent, lockTimeoutMs: settings.lockTimeoutMs },
    )
    .catch(async (error: unknown) => {
      // A failed build is a build too: `butler stats` counts it (its image never existed).
      const code = ButlerError.isInstance(error) ? error.code : 'INTERNAL';
      await recordBuildFailure(stateDir, {
        repo: request.repo,
        code,
        durationMs: Date.now() - started,
        engine,
      });
      throw error;
    });
  if (marked) await clearForceMarker(stateDir, request.repo);
  return {
    ...result,
    builder,
    ...(mode ? { remoteCache: { mode, messages } } : {}),
    cleanup: reports[0],
  };
}

/** BUTLER_FORCE_REBUILD=true (or 1): every build is forced, as in the original tool. */
export function forcedByEnvironment(env: NodeJS.ProcessEnv): boolean {
  return env.BUTLER_FORCE_REBUILD === 'true' || env.BUTLER_FORCE_REBUILD === '1';
}

/** Retention as every product build runs it: last use (read only when a size limit needs it) and what Butler built here. */
export async function retentionPlugin(
  options: RetentionOptions,
  stateDir: string,
  env: NodeJS.ProcessEnv,
  onReport: (report: RetentionReport) => void,
): Promise<PluginOption> {
  const { lastUsed, ...protections } = await retentionInputs(stateDir, engineAddress(env), {
    needLastUsed: options.maxSize !== undefined,
  });
  return retention({ ...options, env, onReport, lastUsed: () => lastUsed, ...protections });
}
