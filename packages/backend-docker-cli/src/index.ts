import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type Builder,
  type Butler,
  ButlerError,
  type ButlerPlugin,
  contextTarFor,
  type EngineImageInspect,
  frontendUnavailable,
  imageInfoFromInspect,
  missingSecretOrAgent,
  parseDockerignore,
  tapEngineImageHooks,
  unreachedByClassicWalk,
} from '@devops-butler/core';
import type { BuilderChoice } from '@devops-butler/engine-client';
import { chooseCliBuilder, parseBuildxVersion } from './buildx.js';
import { type DockerRun, runDocker } from './docker-process.js';

export interface DockerCliOptions {
  /** The docker executable (default `docker` on PATH). */
  binary?: string;
  /** Extra environment for every docker call (DOCKER_CONTEXT, DOCKER_BUILDKIT, ...). */
  env?: Record<string, string>;
}

const NAME = 'butler:docker-cli';

/** Variables the docker CLI reads itself: a build arg of that name stays on the command line. */
const CLI_VARIABLES =
  /^(DOCKER_|BUILDX_|BUILDKIT_)|^(PATH|HOME|TMPDIR|USER|SHELL|LANG|(HTTPS?|NO|ALL)_PROXY)$/i;

/**
 * `--build-arg NAME` with the value in the docker process's environment (the CLI reads it from
 * there): a value on the command line is visible to every local user in `ps`.
 */
export function passBuildArgs(buildArgs: Record<string, string>): {
  buildArgFlags: string[];
  buildArgEnv: Record<string, string>;
} {
  const buildArgFlags: string[] = [];
  const buildArgEnv: Record<string, string> = {};
  for (const [key, value] of Object.entries(buildArgs)) {
    if (CLI_VARIABLES.test(key)) buildArgFlags.push('--build-arg', `${key}=${value}`);
    else {
      buildArgFlags.push('--build-arg', key);
      buildArgEnv[key] = value;
    }
  }
  return { buildArgFlags, buildArgEnv };
}

/** Build backend over the `docker` CLI, for setups that only work through it (contexts, credential helpers). */
export function dockerCli(options: DockerCliOptions = {}): ButlerPlugin {
  const binary = options.binary ?? 'docker';
  if (!binary.trim()) throw new ButlerError('CONFIG_INVALID', 'dockerCli(): binary must not be empty');
  const docker = async (args: string[]) => {
    const result = await runDocker(binary, args, { env: options.env });
    if (result.exitCode !== 0) throw cliError(result, binary);
    return result;
  };
  const inspect = async (ref: string): Promise<EngineImageInspect | undefined> => {
    const result = await runDocker(binary, ['image', 'inspect', '--format', '{{json .}}', ref], {
      env: options.env,
    });
    if (result.exitCode === 0) return JSON.parse(result.stdout) as EngineImageInspect;
    if (/no such (image|object)/i.test(result.stderr)) return undefined;
    throw cliError(result, binary);
  };

  return {
    name: NAME,
    apply(butler: Butler) {
      // Without a chosen builder, docker chooses: Butler sends what BuildKit's walk reaches (a
      // superset of the classic one's) and says so when the two differ.
      butler.hooks.resolveContext.tapPromise(NAME, async (context) => {
        if (!context.ignoreFile || context.request.builder) return context;
        const patterns = parseDockerignore(await readFile(context.ignoreFile, 'utf8'));
        const differs = unreachedByClassicWalk(context.files, patterns);
        if (differs.length === 0) return context;
        return {
          ...context,
          notes: [
            ...context.notes,
            `${differs.length} entries in ignored folders that an exception re-includes are sent (BuildKit's rule); the classic builder would leave them out (${differs.slice(0, 3).join(', ')})`,
          ],
        };
      });

      tapEngineImageHooks(butler, NAME, {
        inspect,
        tag: async (id, repo, tag) => {
          await docker(['tag', id, `${repo}:${tag}`]);
        },
      });

      butler.hooks.build.tapPromise(NAME, async (job) => {
        const { context, target, labels, onOutput } = job;
        const tar = contextTarFor(job);
        const dir = await mkdtemp(join(tmpdir(), 'butler-iid-'));
        try {
          const iidfile = join(dir, 'iid');
          // --force-rm: a failed step must not leave its container (and the image under it) behind.
          const args = ['build', '--force-rm', '--iidfile', iidfile, '-f', tar.dockerfile];
          if (!tar.labelsInDockerfile) {
            for (const [key, value] of Object.entries(labels)) args.push('--label', `${key}=${value}`);
          }
          const { buildArgFlags, buildArgEnv } = passBuildArgs(context.request.buildArgs);
          args.push(...buildArgFlags);
          // Secrets by reference (a file, or a variable docker reads from its environment): never a value on the command line.
          for (const secret of context.request.secrets ?? []) {
            args.push(
              '--secret',
              secret.file !== undefined
                ? `id=${secret.id},src=${secret.file}`
                : `id=${secret.id},env=${secret.env ?? secret.id}`,
            );
          }
          for (const agent of context.request.ssh ?? []) args.push('--ssh', `${agent.id}=${agent.socket}`);
          if (context.request.target) args.push('--target', context.request.target);
          if (context.request.platform) args.push('--platform', context.request.platform);
          // The context is our own tar on stdin: exactly the hashed files, never the CLI's own walk.
          // The builder was chosen before hashing (cliBuilder): docker must use that one.
          const buildkit = context.request.builder === 'buildkit';
          const result = await runDocker(binary, [...args, '-'], {
            env: {
              ...options.env,
              ...(context.request.builder ? { DOCKER_BUILDKIT: buildkit ? '1' : '0' } : {}),
              ...buildArgEnv,
            },
            input: tar.stream,
            onOutput: (chunk) => {
              for (const line of chunk.toString().split('\n')) if (line.trim()) onOutput(line);
            },
          });
          // docker saw only a broken upload; the tar knows which file changed. Asked first, whatever
          // docker answered: a context cut short at a file's end is still a valid (shorter) tar.
          const stopped = tar.failure();
          if (stopped) throw stopped;
          if (result.exitCode !== 0) {
            const failed = cliError(result, binary);
            throw frontendUnavailable(job, failed) ?? missingSecretOrAgent(failed) ?? failed;
          }
          const id = (await readFile(iidfile, 'utf8')).trim();
          const built = await inspect(id);
          if (!built)
            throw new ButlerError('BUILD_FAILED', `docker build reported image ${id} but it is missing`);
          return imageInfoFromInspect(built, target.reference);
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      });
    },
  };
}

/** Turns a failed docker call into one line: engine unreachable, or the CLI's own last error line. */
function cliError(run: DockerRun, binary: string): ButlerError {
  const output = `${run.stderr}\n${run.all}`;
  if (run.spawnError?.code === 'ENOENT') {
    return new ButlerError('ENGINE_UNREACHABLE', `the docker CLI ("${binary}") is not installed`, {
      hint: 'install it, or use the dockerode() backend',
    });
  }
  if (/Cannot connect to the Docker daemon|error during connect/i.test(output)) {
    return new ButlerError('ENGINE_UNREACHABLE', 'cannot reach the Docker engine', {
      hint: 'start Docker (e.g. sudo systemctl start docker), or point DOCKER_HOST at a running engine',
    });
  }
  const lines = output
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const step = [...lines].reverse().find((l) => /^Step \d+\/\d+ :/.test(l));
  const last =
    [...lines].reverse().find((l) => !/^DEPRECATED|BuildKit is currently|environment-variable/.test(l)) ??
    (run.spawnError
      ? `${run.command} could not start: ${run.spawnError.message}`
      : `${run.command} failed${run.exitCode === undefined ? ' (stopped by a signal)' : ` with exit code ${run.exitCode}`}`);
  return new ButlerError('BUILD_FAILED', `${step ? `build failed at ${step}: ` : ''}${last}`, {
    ...(run.spawnError ? { cause: run.spawnError } : {}),
    hint: 'see the docker output above',
  });
}

const asked = new Map<string, Promise<BuilderChoice>>();

/**
 * The builder `docker build` will use for Butler (asked of the CLI once per process: its version
 * and whether buildx is installed), so the hash can follow it before anything is built.
 */
export function cliBuilder(options: {
  binary?: string | undefined;
  configured?: Builder | undefined;
  env?: Record<string, string> | undefined;
}): Promise<BuilderChoice> {
  const binary = options.binary ?? 'docker';
  const env = { ...process.env, ...options.env };
  const quick = chooseCliBuilder(undefined, undefined, { configured: options.configured, env });
  if (options.configured || quick.reason.startsWith('DOCKER_BUILDKIT')) return Promise.resolve(quick);
  let answer = asked.get(binary);
  if (!answer) {
    const ask = async (args: string[]) => {
      const result = await runDocker(binary, args, { env: options.env });
      return result.spawnError ? undefined : result;
    };
    answer = Promise.all([
      ask(['version', '--format', '{{.Client.Version}}']),
      ask(['buildx', 'version']),
    ]).then(([version, buildx]) =>
      chooseCliBuilder(
        // Printed even when the engine is down (then docker exits 1): the client's own version.
        /^\d+\.\d+/.test(version?.stdout.trim() ?? '') ? version?.stdout.trim() : undefined,
        buildx ? parseBuildxVersion(buildx.exitCode ?? 1, buildx.stdout) : undefined,
        { env },
      ),
    );
    asked.set(binary, answer);
  }
  return answer;
}
