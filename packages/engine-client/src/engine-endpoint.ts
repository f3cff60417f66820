import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ButlerError, sha256Hex } from '@devops-butler/core';
import { type EngineEndpoint, type EngineTls, endpointAddress } from './engine-transport.js';

const DEFAULT_SOCKET = '/var/run/docker.sock';

/**
 * The engine every command talks to, chosen as the docker CLI chooses it: DOCKER_HOST (with
 * DOCKER_TLS_VERIFY / DOCKER_CERT_PATH for tcp://), else the context DOCKER_CONTEXT names, else the
 * current context of the docker config (`docker context use`), else the local socket. The CLI's
 * `--host` / `--context` flags set DOCKER_HOST / DOCKER_CONTEXT before this is asked.
 */
export function engineEndpoint(env: NodeJS.ProcessEnv = process.env): EngineEndpoint {
  if (env.DOCKER_HOST) return endpointFromHost(env.DOCKER_HOST, tlsFromEnvironment(env), env);
  const context = env.DOCKER_CONTEXT || currentContext(env);
  if (context && context !== 'default') return contextEndpoint(context, env);
  return { socketPath: DEFAULT_SOCKET };
}

/**
 * The engine's address as DOCKER_HOST spells it (`ssh://ops@app1`): what the state store keeps
 * records apart by. Undefined when the environment names no valid engine.
 */
export function engineAddress(env: NodeJS.ProcessEnv = process.env): string | undefined {
  try {
    return endpointAddress(engineEndpoint(env));
  } catch {
    return undefined;
  }
}

/** `unix:///path`, `tcp://host[:port]` (TLS when `tls` is given) or `ssh://[user@]host[:port]`. */
export function endpointFromHost(
  host: string,
  tls: EngineTls | undefined,
  env: NodeJS.ProcessEnv = process.env,
): EngineEndpoint {
  if (host.startsWith('unix://')) return { socketPath: host.slice('unix://'.length) || DEFAULT_SOCKET };
  if (host.startsWith('tcp://') || host.startsWith('http://') || host.startsWith('https://')) {
    const url = new URL(host.replace(/^(tcp|http|https):/, 'http:'));
    const secure = tls ?? (host.startsWith('https://') ? { verify: true } : undefined);
    const port = Number(url.port || (secure ? 2376 : 2375));
    const hostname = url.hostname.replace(/^\[|\]$/g, '');
    return secure ? { host: hostname, port, tls: secure } : { host: hostname, port };
  }
  if (host.startsWith('ssh://')) {
    const url = new URL(host);
    if (!url.hostname) throw invalidHost(host);
    return {
      ssh: {
        host: url.hostname,
        ...(url.username ? { user: decodeURIComponent(url.username) } : {}),
        ...(url.port ? { port: Number(url.port) } : {}),
        ...(env.BUTLER_SSH_CONFIG ? { configFile: env.BUTLER_SSH_CONFIG } : {}),
      },
    };
  }
  throw invalidHost(host);
}

function invalidHost(host: string): ButlerError {
  return new ButlerError('CONFIG_INVALID', `DOCKER_HOST="${host}" is not an engine address`, {
    hint: 'set it to unix:///var/run/docker.sock, tcp://HOST:2375 or ssh://USER@HOST, or unset it',
  });
}

/** DOCKER_TLS_VERIFY / DOCKER_TLS with DOCKER_CERT_PATH (default the docker config folder), as docker reads them. */
function tlsFromEnvironment(env: NodeJS.ProcessEnv): EngineTls | undefined {
  const verify = Boolean(env.DOCKER_TLS_VERIFY);
  if (!verify && !env.DOCKER_TLS) return undefined;
  const dir = env.DOCKER_CERT_PATH || dockerConfigDir(env);
  return { ...tlsFiles(dir, verify), verify };
}

function tlsFiles(dir: string, required: boolean): Omit<EngineTls, 'verify'> {
  const read = (name: string) => {
    const path = join(dir, name);
    if (existsSync(path)) return readFileSync(path);
    if (required && name === 'ca.pem') {
      throw new ButlerError('CONFIG_INVALID', `DOCKER_TLS_VERIFY is set but ${path} does not exist`, {
        hint: 'point DOCKER_CERT_PATH at the folder with ca.pem, cert.pem and key.pem',
      });
    }
    return undefined;
  };
  return { ca: read('ca.pem'), cert: read('cert.pem'), key: read('key.pem') };
}

/** `DOCKER_CONFIG`, else `~/.docker`. */
function dockerConfigDir(env: NodeJS.ProcessEnv): string {
  return env.DOCKER_CONFIG || join(env.HOME || homedir(), '.docker');
}

/** The docker config's `currentContext` (what `docker context use` sets), if any. */
function currentContext(env: NodeJS.ProcessEnv): string | undefined {
  try {
    const config = JSON.parse(readFileSync(join(dockerConfigDir(env), 'config.json'), 'utf8')) as {
      currentContext?: unknown;
    };
    return typeof config.currentContext === 'string' ? config.currentContext : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A docker context's engine: its `meta.json` under `contexts/meta/<sha256 of its name>/`, and its
 * TLS material under `contexts/tls/<same>/docker/`, as the docker CLI stores them.
 */
export function contextEndpoint(name: string, env: NodeJS.ProcessEnv = process.env): EngineEndpoint {
  const id = sha256Hex(name);
  const dir = dockerConfigDir(env);
  let meta: { Endpoints?: { docker?: { Host?: string; SkipTLSVerify?: boolean } } };
  try {
    meta = JSON.parse(readFileSync(join(dir, 'contexts', 'meta', id, 'meta.json'), 'utf8'));
  } catch {
    throw new ButlerError('CONFIG_INVALID', `there is no docker context named "${name}"`, {
      hint: 'docker context ls lists them; docker context use default goes back to the local engine',
    });
  }
  const docker = meta.Endpoints?.docker;
  if (!docker?.Host) {
    throw new ButlerError('CONFIG_INVALID', `the docker context "${name}" names no docker endpoint`, {
      hint: `docker context inspect ${name} shows it; docker context update ${name} --docker host=… sets one`,
    });
  }
  const tlsDir = join(dir, 'contexts', 'tls', id, 'docker');
  const tls =
    docker.Host.startsWith('tcp://') && existsSync(tlsDir)
      ? { ...tlsFiles(tlsDir, false), verify: !docker.SkipTLSVerify }
      : undefined;
  return endpointFromHost(docker.Host, tls, env);
}
