import { ButlerError } from '@devops-butler/core';
import { validateRetention } from '@devops-butler/plugin-retention';
import { cosmiconfig, defaultLoaders } from 'cosmiconfig';
import type { ButlerConfig, ConfigEnv, UserConfig } from './config.js';

const KNOWN_KEYS = new Set([
  'registry',
  'repo',
  'dockerfile',
  'buildArgs',
  'target',
  'platform',
  'backend',
  'plugins',
  'replaceDefaultPlugins',
  'retention',
]);

export interface LoadedConfig {
  config: ButlerConfig;
  /** The file it came from; undefined when there is none (which is fine). */
  filepath: string | undefined;
}

/** Finds butler.config.* (or .butlerrc*, or package.json#butler) from `dir` upwards, or loads `explicitPath`. */
export async function loadConfig(dir: string, env: ConfigEnv, explicitPath?: string): Promise<LoadedConfig> {
  const explorer = cosmiconfig('butler', {
    searchStrategy: 'project',
    // .mts is TypeScript too; cosmiconfig transpiles both with the typescript package, no build step.
    loaders: { '.mts': defaultLoaders['.ts'] },
    searchPlaces: [
      'package.json',
      '.butlerrc',
      '.butlerrc.json',
      '.butlerrc.js',
      '.butlerrc.mjs',
      '.butlerrc.cjs',
      'butler.config.ts',
      'butler.config.mts',
      'butler.config.js',
      'butler.config.mjs',
      'butler.config.cjs',
      'butler.config.json',
    ],
  });
  let result: Awaited<ReturnType<typeof explorer.search>>;
  try {
    result = explicitPath ? await explorer.load(explicitPath) : await explorer.search(dir);
  } catch (error) {
    const where = explicitPath ?? 'butler config';
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new ButlerError('CONFIG_INVALID', `cannot load ${where}: ${message}`, {
      cause: error,
      hint: 'fix the config file (run with --config to point at another one)',
    });
  }
  if (!result || result.isEmpty) return { config: {}, filepath: result?.filepath };
  let value = result.config as UserConfig & { default?: UserConfig };
  if (value && typeof value === 'object' && 'default' in value && value.default) value = value.default;
  const config = await (typeof value === 'function' ? value(env) : value);
  const problems = validateConfig(config);
  if (problems.length > 0) {
    throw new ButlerError('CONFIG_INVALID', `${result.filepath}: ${problems.join('; ')}`, {
      hint: 'fix these keys in the config file',
    });
  }
  return { config, filepath: result.filepath };
}

/** Collects every problem at once, each with its path, instead of stopping at the first. */
export function validateConfig(config: unknown): string[] {
  if (typeof config !== 'object' || config === null || Array.isArray(config))
    return ['the config must be an object'];
  const problems: string[] = [];
  const c = config as Record<string, unknown>;
  for (const key of Object.keys(c)) if (!KNOWN_KEYS.has(key)) problems.push(`${key}: unknown key`);
  for (const key of ['registry', 'repo', 'dockerfile', 'target', 'platform']) {
    if (c[key] !== undefined && typeof c[key] !== 'string') problems.push(`${key}: must be a string`);
  }
  if (c.backend !== undefined && c.backend !== 'dockerode' && c.backend !== 'docker-cli') {
    problems.push(`backend: must be "dockerode" or "docker-cli"`);
  }
  if (c.buildArgs !== undefined) {
    if (typeof c.buildArgs !== 'object' || c.buildArgs === null)
      problems.push('buildArgs: must be an object');
    else {
      for (const [k, v] of Object.entries(c.buildArgs))
        if (typeof v !== 'string') problems.push(`buildArgs.${k}: must be a string`);
    }
  }
  if (c.plugins !== undefined && !Array.isArray(c.plugins)) problems.push('plugins: must be an array');
  problems.push(...validateRetention(c.retention));
  return problems;
}
