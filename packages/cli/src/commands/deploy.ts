import { resolve } from 'node:path';
import { resolveRemoteCache } from '@devops-butler/build-image';
import { resolveRegistry } from '@devops-butler/core';
import type { DeployOptions, DeployResult, RepositoryConfig } from '@devops-butler/deploy';
import { type CliIo, EXIT } from '../io.js';
import { loadConfig } from '../load-config.js';
import { createReporter, printBuildResult, printCleanup, printContainerLogs } from '../output.js';
import { UsageError } from '../usage-error.js';
import { countFlag, durationFlag, parseCommandArgs } from './parse.js';

const HELP = `Usage: butler deploy <git-url | folder> [options]

Fetches the repository (shallow; later deploys of it fetch into the same checkout), builds it
exactly as butler build does (reusing the image when nothing changed), starts the image beside the
running container, waits until it is healthy, then swaps it in and removes the old one. Published
ports belong to a small front container (<name>-front) that forwards each connection to whichever
container holds the name, so the swap refuses no connection. Retention runs afterwards; the image
that ran before is kept.

A repository's butler.config.* is code and is not run unless --trust-config is given; without it
the Dockerfile is built with the default plugins.

The deployment's settings (ports, env, env file, volumes, network, health, drain, keep-versions)
are remembered: a later deploy or rollback without them keeps what it had, and says so. A flag
given again replaces its remembered value (a repeatable one, the whole list); --reset forgets them.

Options:
      --ref REF            branch, tag or commit (default: the remote's HEAD)
      --name NAME          container name (default: the repository name)
      --repo NAME          image repository name (default: from the URL or the folder's name)
  -p, --port [IP:]HOST:CONTAINER  publish a port (repeatable); IP defaults to 127.0.0.1
  -e, --env K=V            environment variable for the app (repeatable; wins over --env-file)
      --env-file FILE      variables from a file, docker's format (NAME=value lines); read again
                           at every deploy and rollback, so its values are stored nowhere
  -v, --volume SRC:PATH[:ro]  a named volume (data:/var/lib/app) or a bind mount from an absolute
                           host path (/srv/conf:/etc/app:ro), repeatable; kept across redeploys and
                           rollbacks, never removed by Butler
      --network NAME       network to run on (default: devops-butler-net, created when missing)
      --force              rebuild, and replace the container even when it runs that image
      --trust-config       run the repository's butler.config.* (plugins, build args, retention)
      --registry HOST      registry part of the image name (default: local-registry); with a
                           registry, the build reuses its images and pushes what it built
      --remote-cache MODE  both, pull, push or off (default: both when a registry is set)
      --timeout DURATION   how long the new container has to become healthy (default: 60s;
                           also --health-timeout)
      --health-path PATH   the new container must answer GET PATH (e.g. /up) with 2xx or 3xx on
                           its first published port, polled about once a second (needs --port)
      --drain DURATION     how long the old container keeps serving open connections after the
                           swap before it is stopped (default: 1s)
      --hold DURATION      how long the front holds a new connection while no container can
                           take it — a writable volume's handover — before it answers 503
                           with Retry-After (default: 15s)
      --keep-versions N    how many of the deployment's last versions keep their images for
                           butler rollback (default: 3)
      --swarm              run as a Swarm service on the engine (a swarm manager): the image is
                           pushed to --registry (required) and the service updated by digest,
                           start-first, one task at a time, rolled back by Swarm when a new task
                           fails; remembered like the other settings
      --host ENGINE        given more than once: deploy to each of these hosts (ssh://user@host,
                           tcp://…), one after the other — build here once, push to --registry
                           (required), and on each host pull and run the health-checked swap;
                           the first unhealthy host stops the rollout. Remembered (given once,
                           -H/--host is the engine for everything, as for any command)
      --parallel N         with several hosts: how many are deployed at once (default: 1)
      --replicas N         Swarm: how many tasks (default: 1)
      --health-cmd CMD     Swarm: a shell command in the container that must exit 0 for a task
                           to count as healthy (default: the image's HEALTHCHECK)
      --publish-mode MODE  Swarm: ingress (the routing mesh, default) or host (each task's node;
                           the old task then stops before the new one starts)
      --reset              forget the remembered settings; use only what this command gives
      --no-cleanup         skip retention after the deploy
  -q, --quiet              print only the deployed container's name
      --verbose            print every line of the engine's build output (-v is --volume here,
                           as in docker run)
      --json               print one JSON result instead of progress lines
  -h, --help               show this help

Exit codes: 0 deployed (or already running that image), 1 the deploy failed and the previous
container keeps serving, 2 a usage error.`;

const FLAGS = {
  ref: { type: 'string' },
  name: { type: 'string' },
  repo: { type: 'string' },
  port: { type: 'string', short: 'p', multiple: true },
  env: { type: 'string', short: 'e', multiple: true },
  'env-file': { type: 'string' },
  volume: { type: 'string', short: 'v', multiple: true },
  'keep-versions': { type: 'string' },
  reset: { type: 'boolean' },
  network: { type: 'string' },
  force: { type: 'boolean' },
  'trust-config': { type: 'boolean' },
  registry: { type: 'string' },
  'remote-cache': { type: 'string' },
  timeout: { type: 'string' },
  'health-timeout': { type: 'string' },
  'health-path': { type: 'string' },
  drain: { type: 'string' },
  hold: { type: 'string' },
  swarm: { type: 'boolean' },
  host: { type: 'string', multiple: true },
  parallel: { type: 'string' },
  replicas: { type: 'string' },
  'health-cmd': { type: 'string' },
  'publish-mode': { type: 'string' },
  'no-cleanup': { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
  verbose: { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function deployCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, FLAGS, 'deploy');
  if (values.help) {
    io.stdout.write(`${HELP}\n`);
    return EXIT.ok;
  }
  if (positionals.length !== 1) {
    throw new UsageError('butler deploy takes one git URL or folder — run butler deploy --help');
  }
  if (values.quiet && values.verbose) throw new UsageError('--quiet and --verbose contradict each other');
  const { runPipeline, assertContainerName, parseMount, assertDistinctTargets } = await import(
    '@devops-butler/deploy'
  );
  if (values.name !== undefined) assertContainerName(values.name);
  const mounts = values.volume?.map(parseMount);
  if (mounts) assertDistinctTargets(mounts);
  const json = values.json === true;
  const verbosity = values.quiet ? 'quiet' : values.verbose ? 'verbose' : 'normal';
  // As for butler build: quiet keeps warnings, --json prints only the result.
  const report = json ? undefined : createReporter(io, verbosity);
  const say = (line: string) => {
    if (!json && verbosity !== 'quiet') io.stdout.write(`${line}\n`);
  };
  const options: DeployOptions = {
    ref: values.ref,
    name: values.name,
    repo: values.repo,
    ports: values.port?.map(parsePort),
    env: values.env && Object.fromEntries(values.env.map(parseEnv)),
    envFile: values['env-file'] && resolve(io.cwd, values['env-file']),
    mounts,
    keepVersions:
      values['keep-versions'] === undefined
        ? undefined
        : countFlag('--keep-versions', values['keep-versions']),
    reset: values.reset === true,
    swarm: values.swarm === true ? true : undefined,
    hosts: values.host?.map((host) => ({ host })),
    parallel: values.parallel === undefined ? undefined : countFlag('--parallel', values.parallel),
    replicas: values.replicas === undefined ? undefined : countFlag('--replicas', values.replicas),
    publishMode: publishModeFlag(values['publish-mode']),
    network: values.network,
    force: values.force === true,
    registry: values.registry,
    // Resolved with a trusted config's remoteCache by the build; checked here, before the checkout.
    remoteCacheFlag: checkedRemoteCacheFlag(values['remote-cache'], values.registry, io),
    retention: values['no-cleanup'] ? false : undefined,
    health: healthOptions(values),
    drainMs: values.drain === undefined ? undefined : durationFlag('--drain', values.drain),
    holdMs: values.hold === undefined ? undefined : durationFlag('--hold', values.hold),
    trustedConfig: values['trust-config'] ? (dir, file) => trustedConfig(dir, file, io) : undefined,
    cwd: io.cwd,
    processEnv: io.env,
    onBuildEvent: (event) => report?.(event),
    onBuilt: (build) => {
      report?.finish();
      if (!json && verbosity !== 'quiet') printBuildResult(build, io, verbosity);
    },
    // The deploy's steps and the build's plugin messages look the same as butler build's.
    onLog: (entry) => report?.({ type: 'log', entry }),
  };
  let result: DeployResult;
  try {
    result = await runPipeline(positionals[0] as string, options);
  } catch (error) {
    report?.finish();
    if (!json) printContainerLogs(error, io, 'the new container');
    throw error;
  }
  if (json) {
    io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return EXIT.ok;
  }
  if (verbosity === 'quiet') {
    io.stdout.write(`${result.name}\n`);
    return EXIT.ok;
  }
  for (const host of result.hosts ?? []) {
    say(`🖥️ ${host.host}: ${host.outcome === 'unchanged' ? 'already ran this image (kept)' : host.outcome}`);
  }
  if (result.placed.target === 'swarm') {
    // Swarm publishes a port on every address of its nodes (ingress) or of the task's node (host).
    const ports = result.ports.map((p) => `${p.host}→${p.container}`).join(', ');
    say(
      `🚀 ${result.name} runs ${result.build.target.reference}${result.commit ? ` (commit ${result.commit.slice(0, 12)})` : ''} as Swarm service ${result.name} (${result.settings.replicas ?? 1} ${result.settings.replicas === 1 || result.settings.replicas === undefined ? 'task' : 'tasks'})${ports ? ` — port ${ports} on ${result.settings.publishMode === 'host' ? "each task's node" : 'every node'}` : ''}`,
    );
    if (result.cleanup) printCleanup(result.cleanup, io);
    return EXIT.ok;
  }
  const where = result.ports.map((p) => `http://${p.hostIp}:${p.host}`).join(', ');
  say(
    `🚀 ${result.name} runs ${result.build.target.reference}${result.commit ? ` (commit ${result.commit.slice(0, 12)})` : ''} on ${result.network}${where ? ` — ${where}` : ''}`,
  );
  if (result.cleanup) printCleanup(result.cleanup, io);
  return EXIT.ok;
}

/** `--remote-cache` as given, once the rule butler build applies accepts it (a mode, a registry). */
function checkedRemoteCacheFlag(flag: string | undefined, registry: string | undefined, io: CliIo) {
  if (flag !== undefined)
    resolveRemoteCache(resolveRegistry(registry, io.env), { remoteCacheFlag: flag, env: io.env });
  return flag;
}

/** `8080:3000`, `127.0.0.1:8080:3000` or `3000` (the same port on both sides). */
export function parsePort(text: string): { hostIp: string; host: number; container: number } {
  const parts = text.split(':');
  const hostIp = parts.length === 3 ? (parts[0] as string) : '127.0.0.1';
  const [host, container] = parts.length === 1 ? [parts[0], parts[0]] : parts.slice(-2);
  const port = (value: string | undefined) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1 || n > 65535 || parts.length > 3) {
      throw new UsageError(`--port "${text}" must be [IP:]HOST:CONTAINER with ports 1–65535`);
    }
    return n;
  };
  return { hostIp, host: port(host), container: port(container) };
}

function parseEnv(pair: string): [string, string] {
  const eq = pair.indexOf('=');
  if (eq <= 0) throw new UsageError(`--env "${pair}" must be NAME=value`);
  return [pair.slice(0, eq), pair.slice(eq + 1)];
}

/** `--timeout`/`--health-timeout` and `--health-path` as the deploy's health options. */
function healthOptions(values: {
  timeout?: string | undefined;
  'health-timeout'?: string | undefined;
  'health-path'?: string | undefined;
  'health-cmd'?: string | undefined;
}): DeployOptions['health'] {
  if (values.timeout !== undefined && values['health-timeout'] !== undefined) {
    throw new UsageError('--timeout and --health-timeout are the same setting: give one');
  }
  const timeout = values['health-timeout'] ?? values.timeout;
  const path = values['health-path'];
  if (path !== undefined && !path.startsWith('/')) {
    throw new UsageError(`--health-path "${path}" must start with / (like /up)`);
  }
  const cmd = values['health-cmd'];
  if (cmd !== undefined && cmd.trim() === '') throw new UsageError('--health-cmd needs a command');
  if (timeout === undefined && path === undefined && cmd === undefined) return undefined;
  return {
    ...(timeout === undefined ? {} : { timeoutMs: durationFlag('--timeout', timeout) }),
    ...(path === undefined ? {} : { path }),
    ...(cmd === undefined ? {} : { cmd }),
  };
}

/** `--publish-mode ingress|host`. */
function publishModeFlag(text: string | undefined): DeployOptions['publishMode'] {
  if (text === undefined || text === 'ingress' || text === 'host') return text;
  throw new UsageError(`--publish-mode "${text}" must be ingress or host`);
}

/** The repository's own config, run only because the user said --trust-config. */
async function trustedConfig(dir: string, file: string, io: CliIo): Promise<RepositoryConfig> {
  const { config } = await loadConfig(dir, { command: 'deploy', env: io.env }, file);
  return {
    repo: config.repo,
    backend: config.backend,
    builder: config.builder,
    plugins: config.plugins,
    replaceDefaultPlugins: config.replaceDefaultPlugins,
    dockerfile: config.dockerfile,
    buildArgs: config.buildArgs,
    target: config.target,
    platform: config.platform,
    retention: config.retention,
    remoteCache: config.remoteCache,
    requirePush: config.requirePush,
    deploy: config.deploy && {
      ...config.deploy,
      hosts: config.deploy.hosts?.map((entry) => (typeof entry === 'string' ? { host: entry } : entry)),
    },
  };
}
