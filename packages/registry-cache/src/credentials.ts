import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ButlerError } from '@devops-butler/core';

/** What a registry accepts: a user and password (or token), or an identity token from a helper. */
export type RegistryCredentials = { username: string; password: string } | { identityToken: string };

interface DockerConfigFile {
  auths?: Record<string, { auth?: string; identitytoken?: string }>;
  credHelpers?: Record<string, string>;
  credsStore?: string;
}

/**
 * The user's credentials for a registry host, the way the docker CLI finds them: a credential
 * helper for that host, else the default credential store, else `auths` in
 * `$DOCKER_CONFIG/config.json` (default `~/.docker`). Butler keeps none of its own, and never
 * prints them. Undefined when there are none (anonymous access).
 */
export async function credentialsFor(
  host: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<RegistryCredentials | undefined> {
  const config = readDockerConfig(env);
  if (!config) return undefined;
  const helper = config.credHelpers?.[host] ?? config.credsStore;
  if (helper) {
    const fromHelper = await fromCredentialHelper(helper, host, env);
    if (fromHelper) return fromHelper;
  }
  const entry = Object.entries(config.auths ?? {}).find(([key]) => hostOf(key) === host)?.[1];
  if (entry?.identitytoken) return { identityToken: entry.identitytoken };
  if (!entry?.auth) return undefined;
  const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function readDockerConfig(env: NodeJS.ProcessEnv): DockerConfigFile | undefined {
  const path = join(env.DOCKER_CONFIG ?? join(env.HOME ?? homedir(), '.docker'), 'config.json');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  try {
    return JSON.parse(text) as DockerConfigFile;
  } catch (error) {
    throw new ButlerError('CONFIG_INVALID', `${path} is not valid JSON (${(error as Error).message})`, {
      hint: 'fix the docker config file, or run docker login again',
    });
  }
}

/** `https://index.docker.io/v1/` and `registry.example.com:5000` both name a host. */
function hostOf(key: string): string {
  return key.replace(/^[a-z]+:\/\//, '').replace(/\/.*$/, '');
}

/** The credential helper protocol: `docker-credential-<name> get`, the host on stdin, JSON out. */
function fromCredentialHelper(
  helper: string,
  host: string,
  env: NodeJS.ProcessEnv,
): Promise<RegistryCredentials | undefined> {
  return new Promise((resolve) => {
    const child = execFile(
      `docker-credential-${helper}`,
      ['get'],
      { timeout: 30_000, env },
      (error, stdout) => {
        // A helper that has nothing for this host exits non-zero ("credentials not found").
        if (error) return resolve(undefined);
        try {
          const { Username, Secret } = JSON.parse(stdout) as { Username?: string; Secret?: string };
          if (!Secret) return resolve(undefined);
          resolve(
            Username === '<token>'
              ? { identityToken: Secret }
              : { username: Username ?? '', password: Secret },
          );
        } catch {
          resolve(undefined);
        }
      },
    );
    // A helper may exit without reading its input; the write then fails with EPIPE, which is
    // that helper's answer (handled above), not a crash of Butler.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(host);
  });
}

/** The engine's X-Registry-Auth header value for these credentials. */
export function registryAuthHeader(host: string, credentials: RegistryCredentials | undefined): string {
  const body =
    credentials === undefined
      ? {}
      : 'identityToken' in credentials
        ? { identitytoken: credentials.identityToken, serveraddress: host }
        : { username: credentials.username, password: credentials.password, serveraddress: host };
  // URL-safe base64 *with* padding: Engine 20.10 decodes with Go's padded URLEncoding and treats
  // an unpadded header as no credentials at all (found against a registry with auth).
  return Buffer.from(JSON.stringify(body)).toString('base64').replaceAll('+', '-').replaceAll('/', '_');
}
