import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, extname, resolve } from 'node:path';
import { ButlerError } from '@devops-butler/core';
import type { ButlerConfig, ConfigEnv, UserConfig } from './config.js';
import { findConfigFile } from './find-config.js';
import { importConfigModule } from './import-config-module.js';
import { UsageError } from './usage-error.js';

/** sucrase as one file the CLI's build makes: it installs none of sucrase's own dependencies. */
const SUCRASE = '../bundle/sucrase.cjs';

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
  // Imported before the config: once a TypeScript config's module hooks are registered, every later
  // import makes a round trip to Node's loader thread (~0.5 ms each; the schema alone is ~150 modules).
  const { configProblems } = await import('./config-schema.js');
  let result: { config: unknown; filepath: string } | null;
  try {
    result = await readConfigFile(filepath, env.env);
  } catch (error) {
    throw new ButlerError(
      'CONFIG_INVALID',
      syntaxErrorAt(error, filepath) ??
        `cannot load ${filepath}: ${firstLine(error)}${configFrame(error, filepath)}`,
      {
        cause: error,
        hint: 'fix the config file (run with --config to point at another one)',
      },
    );
  }
  if (!result || result.config == null) return { config: {}, filepath };
  let value = result.config as UserConfig & { default?: UserConfig };
  if (value && typeof value === 'object' && 'default' in value && value.default) value = value.default;
  let config: ButlerConfig;
  try {
    config = await (typeof value === 'function' ? value(env) : value);
  } catch (error) {
    throw new ButlerError(
      'CONFIG_INVALID',
      `${result.filepath} threw: ${firstLine(error)}${configFrame(error, result.filepath)}`,
      { cause: error, hint: 'fix the config file' },
    );
  }
  const problems = configProblems(config, dirname(result.filepath));
  if (problems.length > 0) {
    throw new ButlerError('CONFIG_INVALID', `${result.filepath}: ${problems.join('; ')}`, {
      hint: 'fix these keys in the config file',
    });
  }
  return { config, filepath: result.filepath };
}

/**
 * A config file's value: JavaScript and TypeScript are imported; `package.json`'s "butler" key,
 * `*.json` and `.butlerrc` (YAML, which JSON also is) are parsed. Null when the file is empty.
 */
async function readConfigFile(
  filepath: string,
  env: NodeJS.ProcessEnv,
): Promise<{ config: unknown; filepath: string } | null> {
  if (/^\.[cm]?[jt]s$/.test(extname(filepath))) {
    return { config: await importConfigModule(filepath, env), filepath };
  }
  const text = readFileSync(filepath, 'utf8');
  if (basename(filepath) === 'package.json') return { config: JSON.parse(text).butler, filepath };
  if (text.trim() === '') return null;
  if (extname(filepath) === '.json') return { config: JSON.parse(text), filepath };
  const { parse } = await import('yaml');
  return { config: parse(text), filepath };
}

function firstLine(error: unknown): string {
  return error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
}

/**
 * `syntax error at /p/butler.config.mjs:3:1: Unexpected token '}'`: where a config does not parse,
 * from the TypeScript hooks' message or from Node's own SyntaxError, whose stack starts with the
 * file and line. Undefined for other errors.
 */
function syntaxErrorAt(error: unknown, filepath: string): string | undefined {
  if (!(error instanceof Error) || error.name !== 'SyntaxError') return undefined;
  if (error.message.startsWith('syntax error at ')) return firstLine(error);
  // Node's own SyntaxError for an ES module names no place: ask sucrase's parser where it stops.
  const place = syntaxErrorPlace(filepath);
  return `syntax error at ${filepath}${place}: ${firstLine(error)}`;
}

/** `:3:14` where a JavaScript config stops parsing; empty when the parser cannot say. */
function syntaxErrorPlace(filepath: string): string {
  try {
    // The bundled sucrase (scripts/bundle.mjs), at the same place from src/, dist/ and bundle/.
    const { transform } = createRequire(import.meta.url)(SUCRASE) as typeof import('sucrase');
    transform(readFileSync(filepath, 'utf8'), { transforms: [], filePath: filepath });
  } catch (error) {
    const loc = (error as { loc?: { line: number; column: number } }).loc;
    if (loc) return `:${loc.line}:${loc.column}`; // sucrase counts columns from 1
  }
  return '';
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
