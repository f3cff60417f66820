import { ButlerError, defaultStateDir, resolveRegistry } from '@devops-butler/core';
import { buildCacheUsage, engineAddress, engineEndpoint } from '@devops-butler/engine-client';
import { loadInventory, loadLegacyImages, uniqueBytesByImage } from '@devops-butler/plugin-retention';
import type { RepoStats } from '@devops-butler/state-store';
import { type CliIo, EXIT } from '../io.js';
import { formatBytes, formatDuration, printTable } from '../output.js';
import { builtByButler, openState } from '../state.js';
import { parseRepoQuery } from './parse.js';

const HELP = `Usage: butler stats [options]

Per repository and in total: Butler images and their disk use (all their layers, and the bytes only
they hold), then from this machine's build history: builds, cache hits, misses, forced builds, hit
rate, failed builds, time spent building, time saved by reuse (the repository's average build
time minus each hit's own time) and the last build. When the engine cannot be reached, disk use
is "unknown" (null in --json), never 0. Last, the size of BuildKit's own build cache (cache mounts
and step layers, outside images: butler gc --build-cache SIZE keeps it in check).

Options:
      --repo NAME   only this repository
      --json        print the numbers as JSON
  -h, --help        show this help`;

interface DiskUse {
  images: number;
  bytes: number;
  uniqueBytes: number;
  /** How many of the images were made before Butler's labels (the earlier tool's). */
  beforeLabels: number;
}

export async function statsCommand(args: string[], io: CliIo): Promise<number> {
  const values = parseRepoQuery(args, 'stats');
  if (values.help) {
    io.stdout.write(`${HELP}\n`);
    return EXIT.ok;
  }
  // Undefined: the engine could not be asked, so disk use is unknown (not zero).
  const disk = await diskUse(io, values.repo);
  const known = disk !== undefined;
  const store = await openState(defaultStateDir(io.env), io);
  // This engine's history only: another engine's builds are not these images' story.
  const engine = engineAddress(io.env);
  const history = store?.stats(values.repo, engine) ?? [];
  store?.close();

  const repos = [...new Set([...history.map((h) => h.repo), ...(disk?.keys() ?? [])])].sort();
  const rows = repos.map((repo) => ({
    repo,
    disk: known ? (disk.get(repo) ?? { images: 0, bytes: 0, uniqueBytes: 0, beforeLabels: 0 }) : null,
    ...totalsOf(history.filter((h) => h.repo === repo)),
  }));
  const total = {
    disk: known
      ? {
          images: sum(rows, (r) => r.disk?.images),
          bytes: sum(rows, (r) => r.disk?.bytes),
          uniqueBytes: sum(rows, (r) => r.disk?.uniqueBytes),
        }
      : null,
    ...totalsOf(history),
  };
  const buildCache = known ? await buildCacheOf(io) : undefined;
  if (values.json) {
    io.stdout.write(
      `${JSON.stringify({ engine: engine ?? null, repositories: rows, total, buildCache: buildCache ?? null }, null, 2)}\n`,
    );
    return EXIT.ok;
  }
  if (rows.length === 0) {
    io.stdout.write(
      known ? 'No Butler images and no recorded builds yet.\n' : 'No recorded builds; disk use unknown.\n',
    );
    return EXIT.ok;
  }
  const cells = (name: string, r: (typeof rows)[number] | typeof total) => [
    name,
    r.disk ? String(r.disk.images) : 'unknown',
    r.disk ? `${formatBytes(r.disk.bytes)} (${formatBytes(r.disk.uniqueBytes)})` : 'unknown',
    String(r.builds),
    String(r.hits),
    String(r.misses),
    String(r.forced),
    String(r.failed),
    r.builds === 0 ? '-' : `${Math.round(r.hitRate * 100)}%`,
    formatDuration(r.buildMs),
    formatDuration(r.savedMs),
    r.lastBuild ? r.lastBuild.replace(/\.\d+Z$/, 'Z') : '-',
  ];
  printTable(
    io,
    [
      'REPOSITORY',
      'IMAGES',
      'DISK (UNIQUE)',
      'BUILDS',
      'HITS',
      'MISSES',
      'FORCED',
      'FAILED',
      'HIT RATE',
      'BUILD TIME',
      'SAVED',
      'LAST BUILD',
    ],
    [...rows.map((r) => cells(r.repo, r)), ...(rows.length > 1 ? [cells('TOTAL', total)] : [])],
  );
  if (buildCache) {
    io.stdout.write(
      `\nBuildKit build cache: ${formatBytes(buildCache.bytes)} in ${buildCache.records} records (${formatBytes(buildCache.reclaimableBytes)} reclaimable; butler gc --build-cache SIZE)\n`,
    );
  }
  return EXIT.ok;
}

/** BuildKit's build cache on the engine; undefined where it keeps none or cannot say. */
async function buildCacheOf(io: CliIo) {
  try {
    return await buildCacheUsage(engineEndpoint(io.env));
  } catch {
    return undefined;
  }
}

/** Image count and bytes per repository, from the engine; a warning and undefined when it is unreachable. */
async function diskUse(io: CliIo, repo: string | undefined): Promise<Map<string, DiskUse> | undefined> {
  const byRepo = new Map<string, DiskUse>();
  try {
    const endpoint = engineEndpoint(io.env);
    const inventory = [
      ...(await loadInventory(endpoint, undefined, repo, builtByButler(defaultStateDir(io.env), io.env))),
      ...(await loadLegacyImages(endpoint, resolveRegistry(undefined, io.env), repo)),
    ];
    const unique =
      inventory.length > 0
        ? await uniqueBytesByImage(
            endpoint,
            inventory.map((image) => image.id),
          )
        : new Map<string, number>();
    for (const image of inventory) {
      const use = byRepo.get(image.repo) ?? { images: 0, bytes: 0, uniqueBytes: 0, beforeLabels: 0 };
      use.images++;
      if (image.legacy) use.beforeLabels++;
      use.bytes += image.size;
      use.uniqueBytes += unique.get(image.id) ?? 0;
      byRepo.set(image.repo, use);
    }
  } catch (error) {
    // A DOCKER_HOST or context that names no engine is the command line's mistake, not an engine down.
    if (ButlerError.isInstance(error) && error.code === 'CONFIG_INVALID') throw error;
    io.stderr.write(`⚠️ disk use is unknown: ${(error as Error).message}\n`);
    return undefined;
  }
  return byRepo;
}

function totalsOf(history: readonly RepoStats[]) {
  const builds = sum(history, (h) => h.builds);
  const hits = sum(history, (h) => h.hits);
  return {
    builds,
    hits,
    misses: sum(history, (h) => h.misses),
    forced: sum(history, (h) => h.forced),
    failed: sum(history, (h) => h.failed),
    hitRate: builds === 0 ? 0 : hits / builds,
    buildMs: sum(history, (h) => h.buildMs),
    savedMs: sum(history, (h) => h.savedMs),
    lastBuild:
      history
        .map((h) => h.lastBuild)
        .sort()
        .at(-1) ?? null,
  };
}

function sum<T>(items: readonly T[], value: (item: T) => number | undefined): number {
  return items.reduce((total, item) => total + (value(item) ?? 0), 0);
}
