import { ButlerError, DEFAULT_REGISTRY, defaultStateDir, withTargetLock } from '@devops-butler/core';
import { type EngineEndpoint, imageDiskUsage, imageUsers } from '@devops-butler/engine-client';
import {
  type InventoryImage,
  loadInventory,
  type RemovalOutcome,
  readDiskReport,
  removeImage,
} from './engine-inventory.js';
import { loadLegacyImages } from './legacy-images.js';
import { reclaimedBytes } from './reclaimed-bytes.js';
import { globMatcher } from './retention-options.js';
import { planRetention, type RetentionPolicy } from './retention-plan.js';

export interface ReportEntry {
  id: string;
  /** Made before Butler's labels (the earlier tool's images); only a manual gc plans for them. */
  legacy?: boolean | undefined;
  repo: string;
  tags: string[];
  size: number;
  /** Why it stays or goes: `over count`, `in use`, `latest`, ... */
  reason: string;
  containers: string[];
}

export interface RetentionReport {
  dryRun: boolean;
  removed: ReportEntry[];
  kept: ReportEntry[];
  /**
   * Bytes given back: what the removed images held that no image left holds, from the engine's
   * report before (see reclaimed-bytes.ts); where several went, measured from its layer total
   * after (unless other work added layers meanwhile, or the engine counts none: Podman).
   */
  reclaimedBytes: number;
  /**
   * Removed images that a container created during the run refers to. The engine checks for users
   * and deletes without a lock against a concurrent `docker create`, so this can happen; Butler
   * cannot prevent it but never hides it.
   */
  lost: ReportEntry[];
}

/** Removals at once: the engine deletes images in parallel, but not without limit. */
const PARALLEL_REMOVALS = 8;

/** Plans retention over the engine's Butler images (one repository, a glob of them, or all) and carries it out. */
export async function runRetention(
  endpoint: EngineEndpoint,
  options: {
    repo?: string | undefined;
    policy: RetentionPolicy;
    dryRun?: boolean | undefined;
    /** Image ID → when a build last produced or reused it (the state store's); default: its creation. */
    lastUsed?: ReadonlyMap<string, string> | undefined;
    /** The registry part Butler tags with (default `local-registry`): only its tags are Butler's. */
    registry?: string | undefined;
    /** Where builds hold their locks (default: the XDG state folder): an image being built or deployed is skipped. */
    stateDir?: string | undefined;
    /** IDs of images Butler built here: untagged ones among them (a forced rebuild's leftovers) are candidates. */
    builtByButler?: (() => Promise<ReadonlySet<string>>) | undefined;
    /** IDs of the images deployments' last versions ran (the state store's): kept for `butler rollback`. */
    keptForRollback?: (() => Promise<ReadonlySet<string>>) | undefined;
    /**
     * Also organise the images from before Butler's labels (`butler gc` by hand does; the cleanup
     * after a build or deploy does not — nobody asked for it then).
     */
    includeLegacy?: boolean | undefined;
  },
): Promise<RetentionReport> {
  const glob = options.repo?.includes('*') ? globMatcher(options.repo) : undefined;
  const registry = options.registry ?? DEFAULT_REGISTRY;
  const only = glob ? undefined : options.repo;
  const listed = [
    ...(await loadInventory(endpoint, registry, only, options.builtByButler)),
    ...(options.includeLegacy ? await loadLegacyImages(endpoint, registry, only) : []),
  ];
  const inventory = (glob ? listed.filter((image) => glob(image.repo)) : listed).map((image) => {
    const used = options.lastUsed?.get(image.id);
    return used && used > image.lastUsed ? { ...image, lastUsed: used } : image;
  });
  const rollbackIds =
    options.keptForRollback && inventory.length > 0 ? await options.keptForRollback() : undefined;
  const plan = planRetention(inventory, { ...options.policy, rollbackIds });
  const kept = plan.keep.map(({ image, reason }) => entry(image as InventoryImage, reason));
  const planned = plan.remove.map(({ image, reason }) => ({ image: image as InventoryImage, reason }));
  if (options.dryRun) {
    return {
      dryRun: true,
      removed: planned.map(({ image, reason }) => entry(image, reason)),
      kept,
      reclaimedBytes:
        planned.length > 0
          ? reclaimedBytes(
              planned.map((p) => p.image.id),
              await readDiskReport(endpoint),
            )
          : 0,
      lost: [],
    };
  }
  const before = planned.length > 0 ? await readDiskReport(endpoint) : undefined;
  const outcomes = await removeChildrenFirst(
    endpoint,
    planned.map((p) => p.image),
    options.stateDir ?? defaultStateDir(),
  );
  const removed: ReportEntry[] = [];
  for (const { image, reason } of planned) {
    const outcome = outcomes.get(image.id);
    // A container that started using the image since the plan was made keeps it: kept, not failed.
    if (outcome === 'in use') kept.push(entry(image, 'in use (started during the run)'));
    else if (outcome === 'busy') kept.push(entry(image, 'in use by a butler build or deploy running now'));
    else removed.push(entry(image, outcome === 'untagged' ? `${reason}; other tags remain` : reason));
  }
  const gone = removed.filter((e) => outcomes.get(e.id) === 'removed').map((e) => e.id);
  // The report before tells exactly what one image gave back. Only images removed together can
  // share layers no other image has, and only the engine's layer total after tells those: a second
  // report is asked for then alone, for before API 1.42 (Docker 23) the engine cannot be asked for
  // images alone and walks every container, volume and build cache record (45 ms here with 1,200
  // cache records), on the clock of the build that removed.
  const measureAfter = before?.layersSize !== undefined && gone.length > 1;
  // Both read the engine after the removals and neither needs the other: asked at once.
  const [after, users] = await Promise.all([
    measureAfter ? imageDiskUsage(endpoint).then((usage) => usage.layersSize) : undefined,
    removed.length > 0 ? imageUsers(endpoint) : new Map<string, string[]>(),
  ]);
  const lost = removed
    .filter((e) => users.has(e.id))
    .map((e) => ({
      ...e,
      containers: users.get(e.id) ?? [],
      reason: 'removed while a container was being created from it',
    }));
  // Measured where a second report was asked for, unless other work on the engine added layers
  // meanwhile (the total is the whole engine's); else told from the report before the removals.
  const measured = before?.layersSize !== undefined && after !== undefined ? before.layersSize - after : 0;
  const reclaimed = measured > 0 ? measured : before ? reclaimedBytes(gone, before) : 0;
  return { dryRun: false, removed, kept, reclaimedBytes: reclaimed, lost };
}

/** Removes images in rounds: an image goes only once no image still to be removed builds on it. */
async function removeChildrenFirst(
  endpoint: EngineEndpoint,
  images: InventoryImage[],
  stateDir: string,
): Promise<Map<string, RemovalOutcome | 'busy'>> {
  const outcomes = new Map<string, RemovalOutcome | 'busy'>();
  let pending = images;
  while (pending.length > 0) {
    const ready = pending.filter((image) => !pending.some((other) => other.parentId === image.id));
    const round = ready.length > 0 ? ready : pending; // cannot happen for a real image tree; never loop forever
    for (let i = 0; i < round.length; i += PARALLEL_REMOVALS) {
      const batch = round.slice(i, i + PARALLEL_REMOVALS);
      const results = await Promise.all(batch.map((image) => removeUnlessBusy(endpoint, image, stateDir)));
      for (const [j, image] of batch.entries()) outcomes.set(image.id, results[j] as RemovalOutcome | 'busy');
    }
    pending = pending.filter((image) => !outcomes.has(image.id));
  }
  return outcomes;
}

/**
 * Removes an image while holding the lock a build of it holds: a build or deploy that is reusing,
 * tagging or starting it right now keeps it (`busy`), and cannot find it gone halfway.
 */
async function removeUnlessBusy(
  endpoint: EngineEndpoint,
  image: InventoryImage,
  stateDir: string,
): Promise<RemovalOutcome | 'busy'> {
  try {
    return await withTargetLock(stateDir, image.reference, () => removeImage(endpoint, image), {
      timeoutMs: 0,
    });
  } catch (error) {
    if (ButlerError.isInstance(error) && error.code === 'LOCK_TIMEOUT') return 'busy';
    throw error;
  }
}

function entry(image: InventoryImage, reason: string): ReportEntry {
  return {
    id: image.id,
    ...(image.legacy ? { legacy: true } : {}),
    repo: image.repo,
    tags: image.tags,
    size: image.size,
    reason,
    containers: image.containers,
  };
}
