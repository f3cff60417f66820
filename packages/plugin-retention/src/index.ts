import { alreadyTagged, ButlerError, type ButlerPlugin } from '@devops-butler/core';
import { engineEndpoint } from '@devops-butler/engine-client';
import {
  DEFAULT_MIN_AGE_MS,
  globMatcher,
  parseDuration,
  parseSize,
  type RetentionOptions,
  type RetentionOverrides,
  resolveKeep,
  validateRetention,
} from './retention-options.js';
import type { RetentionPolicy } from './retention-plan.js';
import { type RetentionReport, runRetention } from './run-retention.js';

export { loadInventory, uniqueBytesByImage } from './engine-inventory.js';
export { loadLegacyImages } from './legacy-images.js';
export * from './retention-options.js';
export * from './retention-plan.js';
export { type ReportEntry, type RetentionReport, runRetention } from './run-retention.js';

/** Turns config plus command-line/environment overrides into a policy. */
export function createRetentionPolicy(
  options: RetentionOptions = {},
  overrides: RetentionOverrides = {},
): RetentionPolicy {
  const problems = validateRetention(options);
  if (problems.length > 0) {
    throw new ButlerError('CONFIG_INVALID', problems.join('; '), {
      hint: 'fix retention in butler.config.ts',
    });
  }
  const patterns = (options.keepPatterns ?? []).map((p) => globMatcher(p));
  return {
    keep: resolveKeep(options, overrides),
    keepPatterns: patterns.length > 0 ? (tag) => patterns.some((match) => match(tag)) : undefined,
    maxSizeBytes: options.maxSize === undefined ? undefined : parseSize(options.maxSize),
    minAgeMs: options.minAge === undefined ? DEFAULT_MIN_AGE_MS : parseDuration(options.minAge),
  };
}

export interface RetentionPluginOptions extends RetentionOptions {
  env?: NodeJS.ProcessEnv;
  /** Called with each run's report (the CLI prints it). */
  onReport?: (report: RetentionReport) => void;
  /** Last-use times by image ID, for least-recently-used order (the CLI reads them from the state store). */
  lastUsed?: () => ReadonlyMap<string, string> | undefined;
  /** IDs of images Butler built here (the state store's), asked only when an untagged candidate exists. */
  builtByButler?: () => Promise<ReadonlySet<string>>;
  /** IDs of the images deployments' last versions ran (the state store's), kept for rollback. */
  keptForRollback?: () => Promise<ReadonlySet<string>>;
}

/** After every successful build or reuse, applies retention to that image's repository. */
export function retention(options: RetentionPluginOptions = {}): ButlerPlugin {
  const { env, onReport, lastUsed, builtByButler, keptForRollback, ...config } = options;
  const policy = createRetentionPolicy(config, { env: env ?? process.env });
  return {
    name: 'butler:retention',
    apply(butler) {
      if (config.auto === false) return;
      butler.hooks.cleanup.tapPromise('butler:retention', async ({ target, image, outcome }) => {
        // A reuse that moved no tag brought no new image and freed none: the last build's or
        // reuse's retention already weighed this repository (`butler gc` applies a changed policy).
        if (outcome === 'reused' && alreadyTagged(image, target)) return;
        const endpoint = engineEndpoint(env ?? process.env);
        const report = await runRetention(endpoint, {
          repo: target.repo,
          registry: target.registry,
          stateDir: butler.stateDir,
          policy,
          lastUsed: lastUsed?.(),
          builtByButler,
          keptForRollback,
        });
        onReport?.(report);
      });
    },
  };
}
