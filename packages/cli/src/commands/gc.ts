import { assertRepoName, DEFAULT_REGISTRY, defaultStateDir, resolveRegistry } from '@devops-butler/core';
import {
  buildCacheUsage,
  endpointAddress,
  engineEndpoint,
  pruneBuildCache,
} from '@devops-butler/engine-client';
import { createRetentionPolicy, parseSize, runRetention } from '@devops-butler/plugin-retention';
import { type CliIo, EXIT } from '../io.js';
import { configFlag, loadConfig } from '../load-config.js';
import { formatBytes, printRemoteRetentionReport, printRetentionReport } from '../output.js';
import { retentionWithImages } from '../retention-config.js';
import { UsageError } from '../usage-error.js';
import { durationFlag, parseCommandArgs } from './parse.js';

const HELP = `Usage: butler gc [options]        (alias: butler cleanup)

Removes old images Butler built, and nothing else: only images with Butler's label are candidates.
Per repository the newest N stay (default 3). Never removed: an image any container uses (running
or stopped), the image latest points to, a tag matching retention.keepPatterns. Never forced.

Options:
      --repo NAME     only this repository, or a glob of them ('api-*'); default: all
      --keep N        keep the N newest per repository (beats BUTLER_IMAGE_KEEP_COUNT and config)
      --dry-run       print the plan (what goes, what stays and why) and remove nothing
      --json          print the report as JSON
      --config PATH   config file (default: butler.config.* from here up to the project's top)
      --no-config     run no config file
      --remote        apply the keep rule to the registry's tags instead of the engine's images
      --registry HOST the registry for --remote (default: config registry, env BUTLER_REGISTRY)
      --min-age DUR   with --remote: delete nothing younger than this (default: 24h, or
                      retention.remoteMinAge); the registry cannot see other machines' containers
      --build-cache SIZE  also keep BuildKit's build cache (cache mounts, step layers; outside
                      images, so the keep rule never touches it) under SIZE, like 5GB or 0
                      (least recently used first, as docker builder prune --keep-storage)
  -h, --help          show this help

With --remote, candidates are manifests whose image has Butler's label; the one latest points to
is never deleted, nor one younger than --min-age; deleting a manifest removes every tag on it (the
registry must allow deletes, and its own garbage collection frees the blobs). Only the keep count
applies remotely.

Keep count precedence: --keep, BUTLER_IMAGE_KEEP_COUNT, retention.repos[repo].keep (exact name,
then glob), retention.keep, 3. With retention.maxSize, the least recently used of the rest go too
until the total fits, sparing images younger than retention.minAge (default 1h).`;

const FLAGS = {
  repo: { type: 'string' },
  keep: { type: 'string' },
  'dry-run': { type: 'boolean' },
  json: { type: 'boolean' },
  config: { type: 'string' },
  'no-config': { type: 'boolean' },
  remote: { type: 'boolean' },
  registry: { type: 'string' },
  'min-age': { type: 'string' },
  'build-cache': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function gcCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, FLAGS, 'gc');
  if (values.help) {
    io.stdout.write(`${HELP}\n`);
    return EXIT.ok;
  }
  if (positionals.length > 0)
    throw new UsageError(`butler gc takes no arguments — use --repo ${positionals[0]}`);
  if (values.keep !== undefined && !/^\d+$/.test(values.keep)) {
    throw new UsageError(`--keep must be a whole number, not "${values.keep}"`);
  }
  if (values.repo !== undefined) assertRepoName(values.repo.replaceAll('*', 'x'));
  const { config } = await loadConfig(io.cwd, { command: 'gc', env: io.env }, configFlag(values));
  const policy = createRetentionPolicy(retentionWithImages(config), {
    keep: values.keep === undefined ? undefined : Number(values.keep),
    env: io.env,
  });
  if (values.remote) {
    const registry = resolveRegistry(values.registry, io.env, config.registry);
    if (registry === DEFAULT_REGISTRY) {
      throw new UsageError(
        'butler gc --remote needs a registry: --registry host[:port]/namespace, BUTLER_REGISTRY or registry in the config',
      );
    }
    const { runRemoteRetention } = await import('@devops-butler/registry-cache');
    const { engineEndpoint, serviceImageDigests } = await import('@devops-butler/engine-client');
    const minAge = values['min-age'] ?? config.retention?.remoteMinAge;
    // Images a Swarm service names by digest are in use on its nodes (a manager knows them; other
    // engines answer none). No engine at all is no reason to refuse a registry's cleanup: said.
    const inUse = await serviceImageDigests(engineEndpoint(io.env)).catch((error: Error) => {
      io.stderr.write(
        `⚠️ Swarm services not checked (${error.message}): images only a service runs are not known\n`,
      );
      return new Map<string, string[]>();
    });
    const remote = await runRemoteRetention({
      inUse,
      registry,
      repo: values.repo,
      policy,
      minAgeMs: minAge === undefined ? undefined : durationFlag('--min-age', minAge),
      dryRun: values['dry-run'],
      env: io.env,
    });
    if (values.json) io.stdout.write(`${JSON.stringify(remote, null, 2)}\n`);
    else printRemoteRetentionReport(remote, io);
    return EXIT.ok;
  }
  if (values['build-cache'] !== undefined && values.remote) {
    throw new UsageError("--build-cache is the engine's build cache; it does not go with --remote");
  }
  if (values.registry !== undefined) throw new UsageError('--registry is for --remote');
  if (values['min-age'] !== undefined) {
    throw new UsageError('--min-age is for --remote (retention.minAge sets the local disk rule)');
  }
  const buildCacheLimit = values['build-cache'] === undefined ? undefined : sizeFlag(values['build-cache']);
  const endpoint = engineEndpoint(io.env);
  const { retentionInputs } = await import('@devops-butler/build-image');
  const report = await runRetention(endpoint, {
    repo: values.repo,
    registry: resolveRegistry(undefined, io.env, config.registry),
    stateDir: defaultStateDir(io.env),
    ...(await retentionInputs(defaultStateDir(io.env), endpointAddress(endpoint), {
      needLastUsed: config.retention?.maxSize !== undefined,
    })),
    // By hand, gc organises the earlier tool's images too (the cleanup after a build does not).
    includeLegacy: true,
    policy,
    dryRun: values['dry-run'],
  });
  const buildCache =
    buildCacheLimit === undefined
      ? undefined
      : await trimBuildCache(endpoint, buildCacheLimit, values['dry-run']);
  if (values.json)
    io.stdout.write(`${JSON.stringify(buildCache ? { ...report, buildCache } : report, null, 2)}\n`);
  else {
    printRetentionReport(report, io);
    if (buildCache) io.stdout.write(`${describeBuildCache(buildCache)}\n`);
  }
  return EXIT.ok;
}

interface BuildCacheReport {
  limitBytes: number;
  beforeBytes: number;
  /** What the prune freed (0 in a dry run). */
  freedBytes: number;
  dryRun: boolean;
}

/** `--build-cache SIZE`: prune BuildKit's cache down to SIZE (a dry run only measures). */
async function trimBuildCache(
  endpoint: Parameters<typeof buildCacheUsage>[0],
  limitBytes: number,
  dryRun: boolean | undefined,
): Promise<BuildCacheReport | undefined> {
  const usage = await buildCacheUsage(endpoint);
  if (!usage) return undefined;
  const freedBytes = dryRun || usage.bytes <= limitBytes ? 0 : await pruneBuildCache(endpoint, limitBytes);
  return { limitBytes, beforeBytes: usage.bytes, freedBytes, dryRun: dryRun === true };
}

function describeBuildCache(report: BuildCacheReport): string {
  const limit = formatBytes(report.limitBytes);
  if (report.beforeBytes <= report.limitBytes) {
    return `🧱 BuildKit's build cache: ${formatBytes(report.beforeBytes)}, within ${limit}; nothing pruned`;
  }
  return report.dryRun
    ? `🧱 BuildKit's build cache: ${formatBytes(report.beforeBytes)}, over ${limit}: would be pruned to it (dry run)`
    : `🧱 BuildKit's build cache: ${formatBytes(report.beforeBytes)} → pruned to ${limit}, ${formatBytes(report.freedBytes)} freed`;
}

function sizeFlag(text: string): number {
  try {
    return parseSize(text);
  } catch {
    throw new UsageError(`--build-cache "${text}" is not a size (like 5GB, 500MiB or 0)`);
  }
}
