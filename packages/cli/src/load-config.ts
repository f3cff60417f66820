import { basename, dirname } from 'node:path';
import { ButlerError, CONFIG_FILES } from '@devops-butler/core';
import { cosmiconfig, defaultLoaders } from 'cosmiconfig';
import type { ButlerConfig, ConfigEnv, UserConfig } from './config.js';

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
    searchPlaces: [...CONFIG_FILES],
  });
  let result: Awaited<ReturnType<typeof explorer.search>>;
  try {
    result = explicitPath ? await explorer.load(explicitPath) : await explorer.search(dir);
  } catch (error) {
    const where = explicitPath ?? 'butler config';
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new ButlerError(
      'CONFIG_INVALID',
      `cannot load ${where}: ${message}${configFrame(error, explicitPath)}`,
      {
        cause: error,
        hint: 'fix the config file (run with --config to point at another one)',
      },
    );
  }
  if (!result || result.isEmpty) return { config: {}, filepath: result?.filepath };
  let value = result.config as UserConfig & { default?: UserConfig };
  if (value && typeof value === 'object' && 'default' in value && value.default) value = value.default;
  let config: ButlerConfig;
  try {
    config = await (typeof value === 'function' ? value(env) : value);
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new ButlerError(
      'CONFIG_INVALID',
      `${result.filepath} threw: ${message}${configFrame(error, result.filepath)}`,
      { cause: error, hint: 'fix the config file' },
    );
  }
  const { configProblems } = await import('./config-schema.js');
  const problems = configProblems(config, dirname(result.filepath));
  if (problems.length > 0) {
    throw new ButlerError('CONFIG_INVALID', `${result.filepath}: ${problems.join('; ')}`, {
      hint: 'fix these keys in the config file',
    });
  }
  return { config, filepath: result.filepath };
}

/**
 * ` (at butler.config.ts:12:9)`: the config's own frame from an error's stack, so the user sees
 * where in their file it went wrong rather than where Butler called it. Empty when there is none.
 */
function configFrame(error: unknown, filepath: string | undefined): string {
  const stack = error instanceof Error ? (error.stack ?? '') : '';
  const name = filepath ? basename(filepath) : 'butler.config';
  const frame = stack
    .split('\n')
    .slice(1)
    .find((line) => line.includes(name) || /[/\\](butler\.config|\.butlerrc)[^/\\]*:\d+/.test(line));
  const location = frame && /\(?((?:file:\/\/)?[^\s()]+:\d+:\d+)\)?\s*$/.exec(frame)?.[1];
  return location ? ` (at ${location.replace(/^file:\/\//, '')})` : '';
}
