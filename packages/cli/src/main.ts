import { BUTLER_VERSION, ButlerError, formatError } from '@devops-butler/core';
import { closestTo } from './did-you-mean.js';
import { type CliIo, EXIT } from './io.js';
import { UsageError } from './usage-error.js';

const HELP = `butler — builds Docker images only when something that goes into them changed

Usage: butler <command> [options]

Commands:
  build [dir]   reuse the image for the current inputs, or build and tag it
  hash [dir]    print the content hash of a build's inputs (no engine needed)
  gc            remove old Butler images, never one in use (alias: cleanup)
  force-rebuild <repo>  remove a repository's unused images; its next build is a miss
  list          Butler's images by repository: hash, ID, size, created, in use, latest
  stats         per repository: disk use, builds, hits, misses, hit rate, time saved
  details <repo[:tag]>  one image: labels, dependencies, layers and their instructions
  why [dir]     what changed since the image latest points to (or the last build)
  deploy <git-url|folder>  build with reuse and replace the running container once healthy
  undeploy <name>  stop and remove a deployment's containers (images stay for retention)
  deployments [name]  each deployment's versions: commit, image, live since, how it ended
  rollback <name>  put the version that ran before back (or --to an older one)

Options:
  -H, --host ADDR     the engine, as docker -H takes it: unix:///path, tcp://host:2376 (TLS with
                      DOCKER_TLS_VERIFY/DOCKER_CERT_PATH), ssh://user@host[:port]
  -c, --context NAME  a docker context (default: DOCKER_HOST, else DOCKER_CONTEXT, else the one
                      docker context use chose); any command, before or after its name
  -h, --help          show help (also: butler <command> --help)
  -v, --version       show the version

Exit codes: 0 success, 1 failure, 2 usage or config error. Every command has --help; those
that print data have --json. BUTLER_DEBUG=1 prints stack traces of unexpected errors.

Images are named {registry}/{repo}:{hash12} and :latest.
Docs: https://github.com/devops-butler/devops-butler/tree/main/docs`;

type Command = (args: string[], io: CliIo) => Promise<number>;

// Loaded on demand: a cache hit is the product's promise, and every module loaded costs start-up time.
const COMMANDS: Record<string, () => Promise<Command>> = {
  build: async () => (await import('./commands/build.js')).buildCommand,
  hash: async () => (await import('./commands/hash.js')).hashCommand,
  gc: async () => (await import('./commands/gc.js')).gcCommand,
  cleanup: async () => (await import('./commands/gc.js')).gcCommand,
  'force-rebuild': async () => (await import('./commands/force-rebuild.js')).forceRebuildCommand,
  list: async () => (await import('./commands/list.js')).listCommand,
  stats: async () => (await import('./commands/stats.js')).statsCommand,
  details: async () => (await import('./commands/details.js')).detailsCommand,
  why: async () => (await import('./commands/why.js')).whyCommand,
  deploy: async () => (await import('./commands/deploy.js')).deployCommand,
  undeploy: async () => (await import('./commands/undeploy.js')).undeployCommand,
  deployments: async () => (await import('./commands/deployments.js')).deploymentsCommand,
  rollback: async () => (await import('./commands/rollback.js')).rollbackCommand,
};

/** Runs the CLI and returns the exit code; the only place errors become messages. */
export async function main(argv: string[], io: CliIo): Promise<number> {
  let args: string[];
  try {
    args = takeEngineFlags(argv, io.env);
  } catch (error) {
    return reportError(error, io, argv.includes('--json'));
  }
  const [command, ...rest] = args;
  if (!command || command === '-h' || command === '--help' || command === 'help') {
    io.stdout.write(`${HELP}\n`);
    return command ? EXIT.ok : EXIT.usage;
  }
  if (command === '-v' || command === '--version') {
    io.stdout.write(`${BUTLER_VERSION}\n`);
    return EXIT.ok;
  }
  try {
    const load = COMMANDS[command];
    if (!load) {
      const guess = closestTo(command, Object.keys(COMMANDS));
      throw new UsageError(
        `butler has no command "${command}"${guess ? ` — did you mean butler ${guess}?` : ''} (run butler --help for the list)`,
      );
    }
    return await (await load())(rest, io);
  } catch (error) {
    return reportError(error, io, rest.includes('--json'));
  }
}

function reportError(error: unknown, io: CliIo, json: boolean): number {
  const usage = UsageError.isInstance(error);
  if (json) {
    const code = ButlerError.isInstance(error) ? error.code : usage ? 'USAGE' : 'INTERNAL';
    const body = {
      error: {
        code,
        message: formatError(error),
        ...(ButlerError.isInstance(error) && error.plugin ? { plugin: error.plugin } : {}),
        // A failed deploy's last log lines (UnhealthyDeployError).
        ...(Array.isArray((error as { logs?: unknown }).logs)
          ? { logs: (error as { logs: string[] }).logs }
          : {}),
        // A failed build step's last lines of output.
        ...(ButlerError.isInstance(error) && error.output ? { output: error.output } : {}),
      },
    };
    io.stdout.write(`${JSON.stringify(body)}\n`);
  } else {
    // What the failing step printed, then the one line that says what failed.
    if (ButlerError.isInstance(error) && error.output?.length) {
      io.stderr.write(
        `── last lines of the failed step ──\n${error.output.map((l) => `   ${l}\n`).join('')}`,
      );
    }
    io.stderr.write(`✖ ${formatError(error)}\n`);
  }
  if (!usage && !ButlerError.isInstance(error) && io.env.BUTLER_DEBUG)
    io.stderr.write(`${(error as Error).stack}\n`);
  return usage || isConfigError(error) ? EXIT.usage : EXIT.failed;
}

/** A bad config, name or deploy source is the command line's fault, like a bad flag: exit 2. */
function isConfigError(error: unknown): boolean {
  return (
    ButlerError.isInstance(error) &&
    (error.code === 'CONFIG_INVALID' || error.code === 'NAME_INVALID' || error.code === 'SOURCE_INVALID')
  );
}

/**
 * `--host`/`-H` and `--context`/`-c`, wherever they stand: docker's global flags, applied as docker
 * applies them — they set DOCKER_HOST / DOCKER_CONTEXT for everything the command does (a context
 * beats a DOCKER_HOST in the environment; both flags at once is an error). `env` is changed in place:
 * it is the process's environment, which every engine call reads.
 */
function takeEngineFlags(argv: readonly string[], env: NodeJS.ProcessEnv): string[] {
  const rest: string[] = [];
  const hosts: string[] = [];
  let context: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') {
      rest.push(...argv.slice(i));
      break;
    }
    const [flag, inline] = arg.startsWith('--')
      ? (arg.split(/=(.*)/s) as [string, string?])
      : [arg, undefined];
    const isHost = flag === '--host' || flag === '-H';
    const isContext = flag === '--context' || flag === '-c';
    if (!isHost && !isContext) {
      rest.push(arg);
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined || value === '') throw new UsageError(`${flag} needs a value`);
    if (isHost) hosts.push(value);
    else context = value;
  }
  // `butler deploy SRC --host a --host b`: one deploy to several hosts (Kamal's model); any other
  // command talks to one engine.
  if (hosts.length > 1) {
    const command = rest.find((arg) => !arg.startsWith('-'));
    if (command !== 'deploy') {
      throw new UsageError(
        `--host is given ${hosts.length} times: butler ${command ?? ''} talks to one engine (only deploy takes several hosts)`.replace(
          '  ',
          ' ',
        ),
      );
    }
    return [...rest, ...hosts.flatMap((value) => ['--host', value])];
  }
  const host = hosts[0];
  if (host !== undefined && context !== undefined) {
    throw new UsageError('--host and --context contradict each other: give one (as with docker)');
  }
  if (host !== undefined) env.DOCKER_HOST = host;
  if (context !== undefined) {
    env.DOCKER_CONTEXT = context;
    delete env.DOCKER_HOST;
  }
  return rest;
}
