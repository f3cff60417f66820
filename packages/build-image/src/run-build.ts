import {
  type BuildRequest,
  type BuildResult,
  ButlerError,
  type ButlerEvent,
  createButler,
  type PluginOption,
} from '@devops-butler/core';
import { chooseBuilder, defaultPlugins, withConfigPlugins } from '@devops-butler/default-plugins';
import { type BuilderChoice, describeBuilder } from '@devops-butler/engine-client';
import { type RetentionOptions, type RetentionReport, retention } from '@devops-butler/plugin-retention';
import type { RemoteCacheMessage, RemoteCacheMode } from '@devops-butler/registry-cache';
import { holdStateStore, recordBuildFailure, recordBuilds } from '@devops-butler/state-store';
import { clearForceMarker } from './force-marker.js';
import { type BuildSettings, resolveBuildSettings } from './resolve-build-settings.js';
import { retentionInputs } from './retention-inputs.js';

/** What the CLI and library callers add to the build's own settings: where its messages go. */
export interface BuildCallbacks {
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
 * (on Butler's `done` hook). `butler build`, `butler deploy` and `buildImage` all run this; the
 * settings are resolved once, by `resolveBuildSettings`.
 */
export async function runBuild(
  request: BuildRequest,
  settings: BuildSettings & BuildCallbacks = {},
): Promise<RunBuildResult> {
  // Asked first (one `/_ping`), answered while the plugins load; needed before hashing.
  const choosing: Promise<BuilderChoice> = request.builder
    ? Promise.resolve({ builder: request.builder, reason: 'the request names it' })
    : chooseBuilder(settings.backend, settings.builder, settings.env ?? process.env);
  // Settled even if the plugins fail to load first: a rejection must not go unhandled.
  choosing.catch(() => undefined);
  const resolved = await resolveBuildSettings(request, settings);
  const { env, stateDir, engine, remoteCache } = resolved;
  const reports: RetentionReport[] = [];
  const messages: RemoteCacheMessage[] = [];
  const shared = remoteCache
    ? [(await import('@devops-butler/registry-cache')).remoteCache(remoteCache)]
    : [];
  const cleanup =
    resolved.retention === false
      ? []
      : [
          await retentionPlugin(resolved.retention, stateDir, engine, env, (report) => {
            reports.push(report);
            settings.onRetentionReport?.(report);
          }),
        ];
  const defaults = resolved.replaceDefaultPlugins
    ? []
    : [...(await defaultPlugins(resolved.backend)), ...shared, ...cleanup];
  const plugins = [
    ...withConfigPlugins(defaults, resolved),
    recordBuilds({
      stateDir,
      engine,
      onWarning: (message) => settings.onEvent?.({ type: 'warning', message }),
    }),
  ];
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
  // Retention's protections and the record read and write the state store one after the other:
  // one connection for both (opened only if one of them needs it).
  const release = holdStateStore(stateDir);
  const result = await createButler({ plugins, stateDir })
    .build(
      { ...request, force: resolved.forced !== undefined, builder: builder.builder },
      { onEvent, lockTimeoutMs: resolved.lockTimeoutMs },
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
    })
    .finally(release);
  if (resolved.forceMarker) await clearForceMarker(stateDir, request.repo);
  return {
    ...result,
    builder,
    ...(remoteCache ? { remoteCache: { mode: remoteCache.mode, messages } } : {}),
    cleanup: reports[0],
  };
}

/** Retention as every product build runs it: last use (read only when a size limit needs it) and what Butler built here. */
export async function retentionPlugin(
  options: RetentionOptions,
  stateDir: string,
  /** The engine's address, as `resolveBuildSettings` found it (records are kept per engine). */
  engine: string | undefined,
  env: NodeJS.ProcessEnv,
  onReport: (report: RetentionReport) => void,
): Promise<PluginOption> {
  const { lastUsed, ...protections } = await retentionInputs(stateDir, engine, {
    needLastUsed: options.maxSize !== undefined,
  });
  return retention({ ...options, env, onReport, lastUsed: () => lastUsed, ...protections });
}
