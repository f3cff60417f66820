import { existsSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import {
  assertRegistryName,
  assertRepoName,
  type BuildRequest,
  DEFAULT_DOCKERFILE,
  repoNameFrom,
  resolveRegistry,
  type SecretSource,
  type SshAgentSource,
  toRequest,
} from '@devops-butler/core';
import type { ButlerConfig } from './config.js';
import { UsageError } from './usage-error.js';

/** Flags shared by `build` and `hash`, for node:util parseArgs. */
export const BUILD_FLAGS = {
  file: { type: 'string', short: 'f' },
  repo: { type: 'string' },
  registry: { type: 'string' },
  'build-arg': { type: 'string', multiple: true },
  secret: { type: 'string', multiple: true },
  ssh: { type: 'string', multiple: true },
  target: { type: 'string' },
  platform: { type: 'string' },
  config: { type: 'string' },
  'no-config': { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export interface BuildFlagValues {
  file?: string | undefined;
  repo?: string | undefined;
  registry?: string | undefined;
  'build-arg'?: string[] | undefined;
  secret?: string[] | undefined;
  ssh?: string[] | undefined;
  target?: string | undefined;
  platform?: string | undefined;
  force?: boolean | undefined;
}

/** Merges flags over environment over config over defaults into one build request. */
export async function resolveBuildRequest(
  dir: string,
  flags: BuildFlagValues,
  config: ButlerConfig,
  env: NodeJS.ProcessEnv,
  /** Where relative `--secret src=` paths start (the command's folder). */
  cwd: string = process.cwd(),
): Promise<BuildRequest> {
  const context = resolve(dir);
  const registry = resolveRegistry(flags.registry, env, config.registry);
  assertRegistryName(registry);
  const explicitRepo = flags.repo ?? config.repo;
  if (explicitRepo !== undefined) assertRepoName(explicitRepo);
  const repo = explicitRepo ?? repoNameFrom((await gitRemoteName(context)) ?? basename(context));
  const buildArgs = { ...config.buildArgs };
  for (const pair of flags['build-arg'] ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--build-arg "${pair}" must be NAME=value`);
    buildArgs[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return toRequest({
    context,
    dockerfile: flags.file ?? config.dockerfile ?? DEFAULT_DOCKERFILE,
    registry,
    repo,
    buildArgs,
    target: flags.target ?? config.target,
    platform: flags.platform ?? config.platform,
    force: flags.force === true || env.BUTLER_FORCE_REBUILD === 'true' || env.BUTLER_FORCE_REBUILD === '1',
    secrets: buildSecrets(flags.secret ?? [], config.secrets ?? {}, { cwd, context, env }),
    ssh: sshAgents(flags.ssh ?? [], { cwd, env }),
  });
}

/**
 * `--ssh default` (the agent SSH_AUTH_SOCK names) or `--ssh ID=SOCKET`, as docker build takes them:
 * the build may use the agent; keys stay in it. A key file (docker starts an agent for one) is not
 * taken: point at an agent that holds the key.
 */
export function sshAgents(
  flags: readonly string[],
  where: { cwd: string; env: NodeJS.ProcessEnv },
): SshAgentSource[] {
  return flags.map((flag) => {
    const eq = flag.indexOf('=');
    const id = (eq < 0 ? flag : flag.slice(0, eq)).trim();
    const path = eq < 0 ? where.env.SSH_AUTH_SOCK : resolve(where.cwd, flag.slice(eq + 1));
    if (!/^[A-Za-z0-9_.-]+$/.test(id)) {
      throw new UsageError(`--ssh "${flag}" must be default or ID=SOCKET (as docker build takes it)`);
    }
    if (!path) {
      throw new UsageError(
        `--ssh ${id} uses the agent SSH_AUTH_SOCK names, and SSH_AUTH_SOCK is not set (start ssh-agent, or give ${id}=SOCKET)`,
      );
    }
    let socket = false;
    try {
      socket = statSync(path).isSocket();
    } catch {}
    if (!socket) {
      throw new UsageError(
        `--ssh ${id}: ${path} is not an SSH agent's socket (give the agent's socket; keys stay in the agent)`,
      );
    }
    return { id, socket: path };
  });
}

/**
 * `--secret id=ID[,src=PATH|,env=VAR]` (docker build's form; `source`, `type=file|env` too) over
 * the config's `secrets`. Only where each value is: checked to exist now, read when BuildKit asks.
 */
export function buildSecrets(
  flags: readonly string[],
  configured: NonNullable<ButlerConfig['secrets']>,
  where: { cwd: string; context: string; env: NodeJS.ProcessEnv },
): SecretSource[] {
  const byId = new Map<string, SecretSource>();
  for (const [id, source] of Object.entries(configured)) {
    byId.set(id, {
      id,
      ...(source.file ? { file: resolve(where.context, source.file) } : { env: source.env ?? id }),
    });
  }
  for (const flag of flags) {
    const fields = new Map(
      flag.split(',').map((part) => {
        const eq = part.indexOf('=');
        return (eq < 0 ? [part.trim(), ''] : [part.slice(0, eq).trim(), part.slice(eq + 1)]) as [
          string,
          string,
        ];
      }),
    );
    const id = fields.get('id');
    const file = fields.get('src') ?? fields.get('source');
    const variable = fields.get('env');
    const known = new Set(['id', 'src', 'source', 'env', 'type', 'required']);
    const unknown = [...fields.keys()].find((key) => !known.has(key));
    if (!id || unknown !== undefined || (file !== undefined && variable !== undefined)) {
      throw new UsageError(
        `--secret "${flag}" must be id=ID with src=PATH or env=VARIABLE (as docker build takes it)`,
      );
    }
    const type = fields.get('type');
    byId.set(
      id,
      file !== undefined || type === 'file'
        ? { id, file: resolve(where.cwd, file ?? id) }
        : { id, env: variable ?? id },
    );
  }
  for (const secret of byId.values()) {
    if (secret.file !== undefined && !existsSync(secret.file)) {
      throw new UsageError(
        `the secret "${secret.id}" is to be read from ${secret.file}, which does not exist`,
      );
    }
    if (secret.env !== undefined && where.env[secret.env] === undefined) {
      throw new UsageError(
        `the secret "${secret.id}" is to be read from the variable ${secret.env}, which is not set`,
      );
    }
  }
  return [...byId.values()];
}

/**
 * The origin remote's name (`…/team/my-app.git` → `my-app`) when `dir` is the top of a git checkout;
 * a subfolder of a monorepo is named after itself instead.
 */
async function gitRemoteName(dir: string): Promise<string | undefined> {
  try {
    // The top of a checkout holds `.git` (a folder, or a file for worktrees): a stat, not a process.
    if (!existsSync(join(dir, '.git'))) return undefined;
    // Loaded here, not by every build: most hits never ask git.
    const { execFile } = process.getBuiltinModule(
      'node:child_process',
    ) as typeof import('node:child_process');
    const { promisify } = process.getBuiltinModule('node:util') as typeof import('node:util');
    const { stdout } = await promisify(execFile)('git', ['-C', dir, 'config', '--get', 'remote.origin.url'], {
      timeout: 5000,
    });
    const url = stdout.trim().replace(/\/+$/, '');
    return url ? url.split(/[/:]/).pop() : undefined;
  } catch {
    return undefined;
  }
}
