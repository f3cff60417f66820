import { ButlerError } from '@devops-butler/core';
import type { ContainerSpec, Mount } from '@devops-butler/engine-client';

export const DEFAULT_NETWORK = 'devops-butler-net';

/**
 * What a deployment runs with besides its image. Remembered per deployment name, so a plain
 * `butler deploy <url>` or `butler rollback <name>` keeps the ports, env and volumes it had.
 */
export interface DeploySettings {
  network: string;
  ports: ContainerSpec['ports'];
  /** `-e NAME=value` pairs (they win over the env file's). */
  env: Record<string, string>;
  /** An absolute path, read again at every deploy and rollback (its values are not copied anywhere). */
  envFile?: string | undefined;
  mounts: Mount[];
  healthPath?: string | undefined;
  healthTimeoutMs?: number | undefined;
  drainMs?: number | undefined;
  /** How long the front holds a new connection no container takes yet (a volume handover) before a 503. */
  holdMs?: number | undefined;
  /** How many of its last versions keep their images for rollback (default 3). */
  keepVersions?: number | undefined;
  /** Runs as a Swarm service (the engine is a manager) instead of this engine's containers. */
  swarm?: boolean | undefined;
  /** Swarm: how many tasks (default 1). */
  replicas?: number | undefined;
  /** A shell command that must exit 0 in the container for it to count as healthy (Swarm). */
  healthCmd?: string | undefined;
  /**
   * Several hosts (Kamal's model): the same swap on each engine, one after the other. `address`:
   * the address the ports are published on there (default: the `--port` address).
   */
  hosts?: DeployHost[] | undefined;
  /** Swarm: publish through the routing mesh (`ingress`, default) or on each task's node (`host`). */
  publishMode?: 'ingress' | 'host' | undefined;
}

/** One host of a several-host deployment: its engine (`ssh://deploy@app1`, `tcp://…`). */
export interface DeployHost {
  host: string;
  address?: string | undefined;
}

/** What this command line said; undefined is "not given" (then the remembered value holds). */
export type GivenSettings = { [K in keyof DeploySettings]?: DeploySettings[K] | undefined };

export const DEFAULT_KEEP_VERSIONS = 3;

const DEFAULTS: DeploySettings = { network: DEFAULT_NETWORK, ports: [], env: {}, mounts: [] };

/** The flag that sets each setting, for the line that says what was kept. */
const FLAG: Record<keyof DeploySettings, string> = {
  network: '--network',
  ports: '--port',
  env: '--env',
  envFile: '--env-file',
  mounts: '--volume',
  healthPath: '--health-path',
  healthTimeoutMs: '--timeout',
  drainMs: '--drain',
  holdMs: '--hold',
  keepVersions: '--keep-versions',
  swarm: '--swarm',
  replicas: '--replicas',
  healthCmd: '--health-cmd',
  publishMode: '--publish-mode',
  hosts: '--host',
};

/**
 * This deploy's settings: each one given replaces the remembered one (a repeatable flag given once
 * replaces the whole list); the rest are kept. Also says which were kept, as flags.
 */
export function settleSettings(
  remembered: DeploySettings | undefined,
  given: GivenSettings,
): { settings: DeploySettings; kept: string[] } {
  const settings: DeploySettings = { ...DEFAULTS };
  const kept: string[] = [];
  for (const key of Object.keys(FLAG) as (keyof DeploySettings)[]) {
    const value = given[key] !== undefined ? given[key] : remembered?.[key];
    if (value === undefined) continue;
    (settings as unknown as Record<string, unknown>)[key] = value;
    if (given[key] === undefined && !isEmpty(value) && !isDefault(key, value))
      kept.push(describe(key, value));
  }
  return { settings, kept };
}

function isEmpty(value: unknown): boolean {
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === 'object' && value !== null) return Object.keys(value).length === 0;
  return value === '';
}

function isDefault(key: keyof DeploySettings, value: unknown): boolean {
  return (key === 'network' && value === DEFAULTS.network) || (key === 'swarm' && value === false);
}

/** One kept setting as the flags that would give it; env values are never shown (secrets), only names. */
function describe(key: keyof DeploySettings, value: unknown): string {
  const flag = FLAG[key];
  switch (key) {
    case 'ports':
      return (value as DeploySettings['ports'])
        .map((p) => `${flag} ${p.hostIp}:${p.host}:${p.container}`)
        .join(' ');
    case 'mounts':
      return (value as Mount[]).map((m) => `${flag} ${formatMount(m)}`).join(' ');
    case 'env':
      return `${flag} ${Object.keys(value as object).join(',')}`;
    case 'swarm':
      return flag;
    case 'hosts':
      return (value as DeployHost[]).map((h) => `${flag} ${h.host}`).join(' ');
    case 'healthCmd':
      return `${flag} ${JSON.stringify(value)}`;
    case 'healthTimeoutMs':
    case 'drainMs':
    case 'holdMs':
      return `${flag} ${Number(value) / 1000}s`;
    default:
      return `${flag} ${String(value)}`;
  }
}

/** The settings as printed (`--json`): the env's names, never its values (they may be secrets). */
export function shownSettings(settings: DeploySettings): Omit<DeploySettings, 'env'> & { env: string[] } {
  return { ...settings, env: Object.keys(settings.env) };
}

export function formatMount(mount: Mount): string {
  return `${mount.source}:${mount.target}${mount.readOnly ? ':ro' : ''}`;
}

/** Docker's volume name grammar (a name, not a path). */
const VOLUME_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

/**
 * `-v NAME:PATH[:ro|rw]` (a named volume) or `-v /HOST/PATH:PATH[:ro|rw]` (a bind mount). A relative
 * host path is refused: it would depend on the folder butler runs in, which a later deploy or
 * rollback does not share. A bad one is a CONFIG_INVALID error (exit 2).
 */
export function parseMount(text: string): Mount {
  const parts = text.split(':');
  const mode = parts.length === 3 ? parts[2] : undefined;
  const [source = '', target = ''] = parts;
  const fail = (why: string): never => {
    throw new ButlerError('CONFIG_INVALID', `--volume "${text}": ${why}`);
  };
  if (parts.length < 2 || parts.length > 3) fail('must be NAME:PATH[:ro] or /HOST/PATH:PATH[:ro]');
  if (mode !== undefined && mode !== 'ro' && mode !== 'rw') fail(`unknown mode "${mode}" (ro or rw)`);
  if (!target.startsWith('/') || target === '/') fail('the path in the container must be absolute, not /');
  if (target.split('/').includes('..')) fail('the path in the container must not contain ..');
  const bind = source.startsWith('/');
  if (!bind && /[/~]|^\./.test(source)) {
    fail('a bind mount needs an absolute host path (a relative one would depend on where butler runs)');
  }
  if (!bind && !VOLUME_NAME.test(source)) {
    fail('a volume name is letters, digits, "_", "." and "-", at least 2, starting with a letter or digit');
  }
  return {
    type: bind ? 'bind' : 'volume',
    source,
    target: target.replace(/\/+$/, ''),
    readOnly: mode === 'ro',
  };
}

/** Refuses two mounts on one container path (the engine would say so only when creating). */
export function assertDistinctTargets(mounts: readonly Mount[]): void {
  const seen = new Set<string>();
  for (const mount of mounts) {
    if (seen.has(mount.target)) {
      throw new ButlerError('CONFIG_INVALID', `--volume: two mounts on ${mount.target}`);
    }
    seen.add(mount.target);
  }
}

/**
 * Docker's `--env-file` format: `NAME=value` per line, the value taken as it is (no quotes
 * removed, as docker does); `#` lines and blank lines skipped; a bare `NAME` takes the value from
 * butler's own environment, and is left out when that has none.
 */
export function parseEnvFile(text: string, file: string, env: NodeJS.ProcessEnv): Record<string, string> {
  const values: Record<string, string> = {};
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.replace(/^\s+/, '');
    if (line === '' || line.startsWith('#')) return;
    const eq = line.indexOf('=');
    const name = eq === -1 ? line.trimEnd() : line.slice(0, eq);
    if (name === '' || /\s/.test(name)) {
      // The line is not echoed: an env file holds secrets.
      throw new ButlerError('CONFIG_INVALID', `${file} line ${index + 1} is not NAME=value`, {
        hint: 'an env file has one NAME=value per line (# starts a comment)',
      });
    }
    if (eq !== -1) values[name] = line.slice(eq + 1);
    else if (env[name] !== undefined) values[name] = env[name] as string;
  });
  return values;
}
