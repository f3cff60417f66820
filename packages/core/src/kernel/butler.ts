import { collectInputs } from '../context/collect-inputs.js';
import { computeDigest, digestFileInputs, type HashingAhead, hashAhead } from '../hashing/input-digest.js';
import { cacheProbeRacedTwice, isCacheProbeRace } from '../image/cache-probe-race.js';
import { buildLabels } from '../image/labels.js';
import { withTargetLock } from '../state/lock.js';
import { defaultStateDir } from '../state/state-dir.js';
import { ButlerError } from './errors.js';
import { type ButlerHooks, createHooks } from './hooks.js';
import { createLogger, type LogEntry, type Logger } from './logger.js';
import { type ButlerPlugin, flattenPlugins, type PluginOption } from './plugin.js';
import type {
  BuildJob,
  BuildRequest,
  BuildResult,
  HashedContext,
  HashInputs,
  ImageInfo,
  ImageTarget,
  InputFile,
  ResolvedContext,
} from './types.js';

/** Progress events, for a CLI to print (core itself prints nothing). */
export type ButlerEvent =
  | { type: 'hashing' }
  | { type: 'target'; target: ImageTarget; files: number; wholeContext: boolean }
  /** Every input that went into the hash, for a state store to keep (`butler why` diffs them). */
  | { type: 'hashed'; hashed: HashedContext }
  | { type: 'lookup' }
  | { type: 'reuse'; reference: string; origin: 'engine' | 'registry'; image: ImageInfo }
  | { type: 'build-start'; forced: boolean }
  | { type: 'build-output'; line: string }
  | { type: 'warning'; message: string }
  /** Another process holds the build lock of this target (said once, then every 30 s). */
  | { type: 'waiting'; message: string }
  /** A plugin's message (its logger: `butler.getLogger(name)`). */
  | { type: 'log'; entry: LogEntry };

export interface ButlerOptions {
  plugins?: readonly PluginOption[];
  /** Where locks and the stat cache live (default: the XDG state directory). */
  stateDir?: string;
}

export interface RunOptions {
  onEvent?: (event: ButlerEvent) => void;
  /** Give up waiting for another process's build of the same target after this long (default: never). */
  lockTimeoutMs?: number | undefined;
}

/** A Butler instance: frozen hooks plus the plugins applied to them. */
export class Butler {
  readonly hooks: ButlerHooks = createHooks();
  readonly plugins: readonly ButlerPlugin[];
  readonly stateDir: string;
  /** Who hears plugin messages now: the event handlers of the runs in progress. */
  private readonly listeners = new Map<(event: ButlerEvent) => void, number>();

  constructor(options: ButlerOptions = {}) {
    this.stateDir = options.stateDir ?? defaultStateDir();
    this.plugins = flattenPlugins(options.plugins ?? []);
    const seen = new Set<string>();
    for (const plugin of this.plugins) {
      if (seen.has(plugin.name)) {
        throw new ButlerError('CONFIG_INVALID', `plugin "${plugin.name}" is listed twice`, {
          hint: 'list each plugin once',
        });
      }
      seen.add(plugin.name);
      plugin.apply(this);
    }
  }

  /**
   * The logger a plugin writes its messages to: they reach the run in progress as `log` events
   * (and its warnings the result's `warnings`). Core and plugins never print.
   */
  getLogger(plugin: string): Logger {
    return createLogger(plugin, (entry) => {
      for (const listener of this.listeners.keys()) listener({ type: 'log', entry });
    });
  }

  /** Runs `fn` with `onEvent` hearing plugin messages (nested runs count once). */
  private async listening<T>(
    onEvent: ((event: ButlerEvent) => void) | undefined,
    fn: () => Promise<T>,
  ): Promise<T> {
    if (!onEvent) return fn();
    this.listeners.set(onEvent, (this.listeners.get(onEvent) ?? 0) + 1);
    try {
      return await fn();
    } finally {
      const left = (this.listeners.get(onEvent) ?? 1) - 1;
      if (left > 0) this.listeners.set(onEvent, left);
      else this.listeners.delete(onEvent);
    }
  }

  /** Resolves the context and computes the content hash, without building anything. */
  async hash(request: BuildRequest, options: RunOptions = {}): Promise<HashedContext> {
    return this.listening(options.onEvent, () => this.hashOnce(request, options));
  }

  private async hashOnce(request: BuildRequest, options: RunOptions): Promise<HashedContext> {
    options.onEvent?.({ type: 'hashing' });
    const stateDir = this.stateDir || undefined;
    let ahead: HashingAhead | undefined;
    let context: ResolvedContext;
    let files: InputFile[];
    try {
      const collected = await collectInputs({
        context: request.context,
        dockerfile: request.dockerfile,
        buildArgs: request.buildArgs,
        target: request.target,
        platform: request.platform,
        builder: request.builder,
        stateDir,
      });
      // A folder with no stat cache is read whole: the second core starts on it while plugins run.
      ahead = hashAhead(request.context, collected.files, stateDir);
      context = await this.hooks.resolveContext.promise({
        request,
        dockerfilePath: collected.dockerfilePath,
        dockerfileText: collected.dockerfileText,
        ignoreFile: collected.ignoreFile,
        files: collected.files,
        wholeContext: collected.wholeContext,
        notes: collected.notes,
        images: collected.images.map((reference) => ({ reference })),
        buildArgs: collected.buildArgs,
        ecosystems: [],
        metadata: {},
        warnings: [],
      });
      files = await digestFileInputs(request.context, context.files, stateDir, ahead);
    } finally {
      ahead?.hasher?.close(); // a plugin failed before the digest step: no thread goes on hashing
    }
    const initialInputs: HashInputs = {
      dockerfile: context.dockerfileText,
      files,
      buildArgs: context.buildArgs,
      target: request.target ?? '',
      platform: request.platform ?? '',
      images: {},
      contributions: {},
      builder: request.builder ?? '',
    };
    const inputs = await this.hooks.hash.promise(initialInputs, context);
    const digest = computeDigest(inputs);
    const tag = digest.slice(0, 12);
    const base = `${request.registry}/${request.repo}`;
    const target = {
      registry: request.registry,
      repo: request.repo,
      tag,
      digest,
      reference: `${base}:${tag}`,
      latest: `${base}:latest`,
    };
    options.onEvent?.({
      type: 'target',
      target,
      files: context.files.length,
      wholeContext: context.wholeContext,
    });
    const hashed = { context, inputs, digest, target };
    options.onEvent?.({ type: 'hashed', hashed });
    return hashed;
  }

  /** Reuses the image for the current inputs when it exists, builds it when not, tags, cleans up. */
  async build(request: BuildRequest, options: RunOptions = {}): Promise<BuildResult> {
    // A plugin's warnings belong to the result too: a library caller without a handler sees them.
    const pluginWarnings: string[] = [];
    const onEvent = (event: ButlerEvent) => {
      if (event.type === 'log' && event.entry.level === 'warn') pluginWarnings.push(event.entry.message);
      options.onEvent?.(event);
    };
    return this.listening(onEvent, () => this.buildOnce(request, { ...options, onEvent }, pluginWarnings));
  }

  /**
   * The build hook, and once more when the classic builder's cache check raced another process's
   * image removal: a failure of the moment, not of the build (see cache-probe-race.ts).
   */
  private async buildWithRetry(
    job: BuildJob,
    warn: (message: string) => void,
  ): Promise<ImageInfo | undefined> {
    try {
      return await this.hooks.build.promise(job);
    } catch (error) {
      if (!isCacheProbeRace(error)) throw error;
      warn(
        `the engine's cache check failed (${(error as Error).message}): an image was removed meanwhile; building again`,
      );
    }
    try {
      return await this.hooks.build.promise(job);
    } catch (again) {
      throw isCacheProbeRace(again) ? cacheProbeRacedTwice(again as ButlerError) : again;
    }
  }

  private async buildOnce(
    request: BuildRequest,
    options: RunOptions,
    pluginWarnings: string[],
  ): Promise<BuildResult> {
    // hrtime, not performance.now(): the `performance` global loads perf_hooks on a cache hit.
    const started = process.hrtime.bigint();
    const emit = options.onEvent ?? (() => undefined);
    // Said as it happens, and kept for the result (the same list the plugins' warnings fill).
    const warn = (message: string) => {
      pluginWarnings.push(message);
      emit({ type: 'warning', message });
    };
    const hashed = await this.hashOnce(request, options);
    const { context, target, inputs } = hashed;
    for (const message of context.warnings) emit({ type: 'warning', message });

    // One engine build per target at a time: a second process waits, then finds the image.
    const { image, outcome } = await withTargetLock(
      this.stateDir,
      target.reference,
      async () => {
        if (!request.force) {
          emit({ type: 'lookup' });
          const found = await this.hooks.lookup.promise(target, context);
          if (found) {
            emit({
              type: 'reuse',
              reference: target.reference,
              origin: found.origin ?? 'engine',
              image: found,
            });
            await this.hooks.tag.promise({ image: found, target, outcome: 'reused' });
            return { image: found, outcome: 'reused' as const };
          }
        }
        emit({ type: 'build-start', forced: request.force });
        const labels = buildLabels(request, target, context);
        const built = await this.buildWithRetry(
          {
            context,
            inputs,
            target,
            labels,
            onOutput: (line: string) => emit({ type: 'build-output', line }),
          },
          warn,
        );
        if (!built) {
          throw new ButlerError('NO_BACKEND', 'no build backend is configured', {
            hint: 'add dockerode() or dockerCli() to plugins in butler.config.ts',
          });
        }
        const outcome = request.force ? ('forced' as const) : ('built' as const);
        const settled = await this.hooks.built.promise(built, { target, context, outcome });
        // Tagged before the lock is released: a process waiting on it must find the image by its tag.
        await this.hooks.tag.promise({ image: settled, target, outcome });
        return { image: settled, outcome };
      },
      { onWait: (message) => emit({ type: 'waiting', message }), timeoutMs: options.lockTimeoutMs },
    );

    // The build's time ends here, with the image tagged: retention's housekeeping is not the
    // build's, and counted in, it would inflate the time `stats` says a hit saves.
    const durationMs = Math.round(Number(process.hrtime.bigint() - started) / 1e6);
    // The image is built and tagged: a cleanup that fails (an engine restarting, say) costs disk
    // space, not the build.
    // One list, still filled by plugins that log after this point (cleanup, done).
    const warnings = pluginWarnings;
    warnings.unshift(...context.warnings);
    await this.hooks.cleanup.promise({ image, target, outcome }).catch((error: unknown) => {
      warn(`cleanup after the build failed: ${(error as Error).message}; run butler gc later`);
    });
    const result: BuildResult = {
      outcome,
      target,
      image,
      wholeContext: context.wholeContext,
      files: context.files.length,
      notes: context.notes,
      warnings,
      metadata: context.metadata,
      durationMs,
    };
    // Recording (the state store's plugin) must never fail a build that succeeded.
    await this.hooks.done.promise({ result, hashed }).catch((error: unknown) => {
      warn(`the build was not recorded: ${(error as Error).message}`);
    });
    return result;
  }
}

/** Creates a Butler with the given plugins. */
export function createButler(options: ButlerOptions = {}): Butler {
  return new Butler(options);
}
