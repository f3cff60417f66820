import { AsyncSeriesBailHook, AsyncSeriesHook, AsyncSeriesWaterfallHook } from 'tapable';
import { ButlerError } from './errors.js';
import type {
  BuildJob,
  BuiltJob,
  CleanupJob,
  DoneJob,
  HashInputs,
  ImageInfo,
  ImageTarget,
  ResolvedContext,
  TagJob,
} from './types.js';

/**
 * The lifecycle, in order. Waterfalls pass a value from tap to tap (return the new value);
 * bail hooks stop at the first tap that returns something; series hooks run every tap.
 */
export interface ButlerHooks {
  /** Amend what the build reads: detect ecosystems, add metadata and warnings. */
  readonly resolveContext: AsyncSeriesWaterfallHook<[ResolvedContext]>;
  /** Amend what is hashed: resolve base image identities, add dependency fingerprints. */
  readonly hash: AsyncSeriesWaterfallHook<[HashInputs, ResolvedContext]>;
  /** Find an existing image for the target; the first tap that finds one wins. */
  readonly lookup: AsyncSeriesBailHook<[ImageTarget, ResolvedContext], ImageInfo | undefined>;
  /** Build the image; the first backend that returns an image wins. */
  readonly build: AsyncSeriesBailHook<[BuildJob], ImageInfo | undefined>;
  /**
   * After a build, before tagging: the image the tags will name (return it). A shared cache swaps
   * in the equal image another machine published first for the same hash.
   */
  readonly built: AsyncSeriesWaterfallHook<[ImageInfo, BuiltJob]>;
  /** Give the image its `{hash12}` and `latest` tags (and push them, where a registry is set). */
  readonly tag: AsyncSeriesHook<[TagJob]>;
  /** Run after a successful build or reuse: retention. */
  readonly cleanup: AsyncSeriesHook<[CleanupJob]>;
  /** The build is over and this is its result: record it (webpack's `done`). A failing tap is a warning. */
  readonly done: AsyncSeriesHook<[DoneJob]>;
}

type AnyHook = { intercept(interceptor: { register?: (tap: never) => unknown }): void };

/** Creates the frozen hooks object, with every tap's errors tagged with its plugin and hook name. */
export function createHooks(): ButlerHooks {
  const hooks: ButlerHooks = {
    resolveContext: new AsyncSeriesWaterfallHook(['context']),
    hash: new AsyncSeriesWaterfallHook(['inputs', 'context']),
    lookup: new AsyncSeriesBailHook(['target', 'context']),
    build: new AsyncSeriesBailHook(['job']),
    built: new AsyncSeriesWaterfallHook(['image', 'job']),
    tag: new AsyncSeriesHook(['job']),
    cleanup: new AsyncSeriesHook(['job']),
    done: new AsyncSeriesHook(['job']),
  };
  for (const [hookName, hook] of Object.entries(hooks)) {
    (hook as AnyHook).intercept({ register: ((tap: Tap) => attributeErrors(tap, hookName)) as never });
  }
  return Object.freeze(hooks);
}

interface Tap {
  name: string;
  type: string;
  fn: (...args: unknown[]) => unknown;
}

/** Wraps a tap so whatever it throws names the plugin and the hook — the one place this happens. */
function attributeErrors(tap: Tap, hookName: string): Tap {
  if (tap.type !== 'promise') {
    throw new ButlerError('PLUGIN_FAILED', `tap "${tap.name}" on ${hookName} must use tapPromise`, {
      plugin: tap.name,
      hook: hookName,
    });
  }
  const fn = tap.fn;
  return {
    ...tap,
    fn: async (...args: unknown[]) => {
      try {
        return await fn(...args);
      } catch (error) {
        throw attribute(error, tap.name, hookName);
      }
    },
  };
}

function attribute(error: unknown, plugin: string, hook: string): ButlerError {
  if (ButlerError.isInstance(error)) {
    error.plugin ??= plugin;
    error.hook ??= hook;
    return error;
  }
  const message = error instanceof Error ? error.message : String(error);
  return new ButlerError('PLUGIN_FAILED', message, { cause: error, plugin, hook });
}
