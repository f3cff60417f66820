import { readFile } from 'node:fs/promises';
import { ButlerError } from '../kernel/errors.js';
import type { SecretSource } from '../kernel/types.js';

/** A secret's value, read at the moment the build asks for it (never earlier, never kept). */
export async function readSecretValue(
  source: SecretSource,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Buffer> {
  if (source.file !== undefined) return readFile(source.file);
  const name = source.env ?? source.id;
  const value = env[name];
  if (value === undefined) {
    throw new ButlerError(
      'CONFIG_INVALID',
      `the secret "${source.id}" names the variable ${name}, which is not set`,
      {
        hint: `set ${name}, or give the secret as id=${source.id},src=FILE`,
      },
    );
  }
  return Buffer.from(value);
}

/**
 * BuildKit's "secret X not found" (a required secret mount nobody gave), or its missing SSH agent,
 * as one line naming it.
 */
export function missingSecretOrAgent(error: unknown): ButlerError | undefined {
  const message = error instanceof Error ? error.message : String(error);
  const agent = /no SSH key "?([^"\s]+)"? forwarded/i.exec(message)?.[1];
  if (agent) {
    return new ButlerError('BUILD_FAILED', `the build needs the SSH agent "${agent}", which was not given`, {
      cause: error,
      hint: `pass it: butler build --ssh ${agent === 'default' ? 'default' : `${agent}=SOCKET`} (default: the agent SSH_AUTH_SOCK names)`,
    });
  }
  const id = /secret (\S+?):? not found/.exec(message)?.[1];
  if (!id) return undefined;
  return new ButlerError('BUILD_FAILED', `the build needs the secret "${id}", which was not given`, {
    cause: error,
    hint: `pass it: butler build --secret id=${id},src=FILE (or env=VARIABLE), or secrets in the config`,
  });
}
