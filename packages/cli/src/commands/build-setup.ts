import type { BuildRequest } from '@devops-butler/core';
import { BUILD_FLAGS, resolveBuildRequest } from '../build-request.js';
import type { ButlerConfig } from '../config.js';
import type { CliIo } from '../io.js';
import { loadConfig } from '../load-config.js';
import { UsageError } from '../usage-error.js';
import { parseCommandArgs } from './parse.js';

const FLAGS = { ...BUILD_FLAGS, force: { type: 'boolean' }, 'no-cleanup': { type: 'boolean' } } as const;

export interface BuildSetup {
  request: BuildRequest;
  config: ButlerConfig;
  json: boolean;
  /** `--no-cleanup`: skip retention after this build. */
  noCleanup: boolean;
}

/**
 * What `build` and `hash` share: parse the flags, print help, load the config, resolve the build
 * request. Undefined means help was printed and the command is done.
 */
export async function setUpBuild(
  args: string[],
  io: CliIo,
  command: 'build' | 'hash',
  help: string,
): Promise<BuildSetup | undefined> {
  const { values, positionals } = parseCommandArgs(args, FLAGS, command);
  if (values.help) {
    io.stdout.write(`${help}\n`);
    return undefined;
  }
  if (command === 'hash' && values.force)
    throw new UsageError('butler hash has no --force — it never builds');
  if (positionals.length > 1)
    throw new UsageError(`butler ${command} takes one folder — run butler ${command} --help`);
  const dir = positionals[0] ?? io.cwd;
  const { config } = await loadConfig(dir, { command, env: io.env }, values.config);
  const request = await resolveBuildRequest(dir, values, config, io.env);
  return { request, config, json: values.json === true, noCleanup: values['no-cleanup'] === true };
}
