import { basename, dirname, extname, resolve } from 'node:path';
import { ButlerError } from '@devops-butler/core';
import type { ButlerConfig, ConfigEnv, UserConfig } from './config.js';
import { findConfigFile } from './find-config.js';
import { importConfigModule } from './import-config-module.js';
import { UsageError } from './usage-error.js';

export interface LoadedConfig {
  config: ButlerConfig;
  /** The file it came from; undefined when there is none (which is fine). */
  filepath: string | undefined;
}

/** `--config PATH`, `--no-config` (false) or neither (undefined: search), from a command's flags. */
export function configFlag(values: { config?: string | undefined; 'no-config'?: boolean | undefined }) {
  if (values['no-config'] && values.config !== undefined) {
    throw new UsageError('--config and --no-config contradict each other');
  }
  return values['no-config'] ? false : values.config;
}

/**
 * Loads the config named by `explicitPath` (`--config`), else by `BUTLER_CONFIG`, else the one
 * `findConfigFile` finds from `dir` up to the project's top. `false` (`--no-config`) loads none.
 */
export async function loadConfig(
  dir: string,
  env: ConfigEnv,
  explicitPath?: string | false,
): Promise<LoadedConfig> {
  if (explicitPath === false) return { config: {}, filepath: undefined };
  const named = explicitPath ?? (env.env.BUTLER_CONFIG || undefined);
  const filepath = named === undefined ? findConfigFile(dir) : resolve(dir, named);
  if (filepath === undefined) return { config: {}, filepath: undefined };
  let result: { config: unknown; filepath: string; isEmpty?: boolean } | null;
  try {
    result = await readConfigFile(filepath);
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new ButlerError(
      'CONFIG_INVALID',
      `cannot load ${filepath}: ${message}${configFrame(error, filepath)}`,
      {
        cause: error,
        hint: 'fix the config file (run with --config to point at another one)',
      },
    );
  }
  if (!result || result.isEmpty) return { config: {}, filepath };
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

/** A config file's value: JavaScript and TypeScript are imported, data files parsed (cosmiconfig's loaders). */
async function readConfigFile(filepath: string): Promise<{ config: unknown; filepath: string } | null> {
  if (/^\.[cm]?[jt]s$/.test(extname(filepath))) {
    return { config: await importConfigModule(filepath), filepath };
  }
  const { cosmiconfig } = await import('cosmiconfig');
  return cosmiconfig('butler').load(filepath);
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
  // The import URL's query (`?butler-config=N`) is Butler's, not part of the user's path.
  return location ? ` (at ${location.replace(/^file:\/\//, '').replace(/\?butler-config=\d+/, '')})` : '';
}
