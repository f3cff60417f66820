import { ButlerError, parseDuration } from '@devops-butler/core';

/** Retention as a config file writes it (`retention: { ... }` in butler.config.ts). */
export interface RetentionOptions {
  /** How many images each repository keeps (default 3). */
  keep?: number;
  /** Per-repository overrides; keys may be globs (`api-*`). */
  repos?: Record<string, { keep?: number }>;
  /** Tags that are never removed; globs on the full reference (`local-registry/app:release-*`). */
  keepPatterns?: string[];
  /** Disk budget for all Butler images, e.g. `'20GB'`. */
  maxSize?: string | number;
  /** The disk rule spares images younger than this, e.g. `'1h'` (default). */
  minAge?: string | number;
  /** `gc --remote` deletes nothing younger than this (default `'24h'`): other machines may use it. */
  remoteMinAge?: string | number;
  /** Run after every successful build (default true). */
  auto?: boolean;
}

/** What the command line and the environment add on top of the config. */
export interface RetentionOverrides {
  /** `--keep N`: beats everything. */
  keep?: number | undefined;
  env?: NodeJS.ProcessEnv;
}

export const DEFAULT_KEEP = 3;
export const DEFAULT_MIN_AGE_MS = 60 * 60 * 1000;

/**
 * The keep count for a repository: flag, then BUTLER_IMAGE_KEEP_COUNT, then a per-repository
 * config entry (exact name before globs), then the global config, then 3.
 */
export function resolveKeep(
  options: RetentionOptions,
  overrides: RetentionOverrides = {},
): (repo: string) => number {
  const fromEnv = overrides.env?.BUTLER_IMAGE_KEEP_COUNT;
  const envKeep =
    fromEnv === undefined || fromEnv === '' ? undefined : parseCount(fromEnv, 'BUTLER_IMAGE_KEEP_COUNT');
  const entries = Object.entries(options.repos ?? {});
  return (repo) => {
    if (overrides.keep !== undefined) return overrides.keep;
    if (envKeep !== undefined) return envKeep;
    const exact = options.repos?.[repo]?.keep;
    if (exact !== undefined) return exact;
    const glob = entries.find(([pattern, value]) => value.keep !== undefined && globMatcher(pattern)(repo));
    return glob?.[1].keep ?? options.keep ?? DEFAULT_KEEP;
  };
}

/** Collects every problem in a retention config, each with its path. */
export function validateRetention(value: unknown, path = 'retention'): string[] {
  if (value === undefined) return [];
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return [`${path}: must be an object`];
  const problems: string[] = [];
  const r = value as Record<string, unknown>;
  const known = ['keep', 'repos', 'keepPatterns', 'maxSize', 'minAge', 'remoteMinAge', 'auto'];
  for (const key of Object.keys(r)) if (!known.includes(key)) problems.push(`${path}.${key}: unknown key`);
  if (r.keep !== undefined && !isCount(r.keep)) problems.push(`${path}.keep: must be a whole number ≥ 0`);
  if (r.auto !== undefined && typeof r.auto !== 'boolean')
    problems.push(`${path}.auto: must be true or false`);
  if (r.repos !== undefined) {
    if (typeof r.repos !== 'object' || r.repos === null) problems.push(`${path}.repos: must be an object`);
    else {
      for (const [name, entry] of Object.entries(r.repos)) {
        const keep = (entry as { keep?: unknown } | null)?.keep;
        if (keep !== undefined && !isCount(keep))
          problems.push(`${path}.repos.${name}.keep: must be a whole number ≥ 0`);
      }
    }
  }
  if (
    r.keepPatterns !== undefined &&
    !(Array.isArray(r.keepPatterns) && r.keepPatterns.every((p) => typeof p === 'string'))
  ) {
    problems.push(`${path}.keepPatterns: must be a list of strings`);
  }
  for (const [key, parse] of [
    ['maxSize', parseSize],
    ['minAge', parseDuration],
    ['remoteMinAge', parseDuration],
  ] as const) {
    if (r[key] === undefined) continue;
    try {
      parse(r[key] as string | number);
    } catch (error) {
      problems.push(`${path}.${key}: ${(error as Error).message}`);
    }
  }
  return problems;
}

const SIZE_UNITS: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
};

export { parseDuration };

/** `'20GB'` → 20e9 bytes; a number is bytes. */
export function parseSize(value: string | number): number {
  if (typeof value === 'number' && value >= 0) return value;
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(String(value));
  const unit = SIZE_UNITS[(match?.[2] || 'b').toLowerCase()];
  if (!match || unit === undefined) throw new Error(`"${value}" is not a size like "20GB" or "500MiB"`);
  return Math.round(Number(match[1]) * unit);
}

/** A glob where `*` matches anything and `?` one character (repository names and tags have no '/' rules here). */
export function globMatcher(pattern: string): (value: string) => boolean {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  const regexp = new RegExp(`^${source}$`);
  return (value) => regexp.test(value);
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

function parseCount(value: string, name: string): number {
  const count = Number(value);
  if (!/^\d+$/.test(value.trim()) || !isCount(count)) {
    throw new ButlerError('CONFIG_INVALID', `${name}="${value}" is not a whole number`, {
      hint: `set ${name} to a number like 3, or unset it`,
    });
  }
  return count;
}
