import { compareCodeUnits } from '@devops-butler/core';
/** One Butler-built image as retention sees it. */
export interface RetentionCandidate {
  id: string;
  repo: string;
  /** Build time (the `org.opencontainers.image.created` label), ISO 8601. */
  created: string;
  /** Last build, reuse or deploy, ISO 8601; the build time until the state store records more. */
  lastUsed: string;
  /** Bytes the image takes (the engine's Size). */
  size: number;
  /** Names of the containers, running or stopped, that use this image (by image ID). */
  containers: string[];
  /** The repository's `latest` tag points here. */
  latest: boolean;
  /** Every tag the image has. */
  tags: string[];
}

export type KeepReason =
  | 'in use'
  | 'deployed'
  | 'kept for rollback'
  | 'latest'
  | 'kept by pattern'
  | 'kept by count'
  | 'within grace';

export interface RetentionPolicy {
  /** How many of a repository's newest images the count rule keeps. */
  keep: (repo: string) => number;
  /** Tags matching one of these are never removed (e.g. `local-registry/app:release-*`). */
  keepPatterns?: ((tag: string) => boolean) | undefined;
  /** The disk budget for all Butler images; least recently used go first above it. */
  maxSizeBytes?: number | undefined;
  /** The disk rule never evicts an image younger than this (ms). */
  minAgeMs?: number | undefined;
  now?: Date | undefined;
  /** Image IDs this run must keep whatever their age: a deploy's new image and the one it replaced. */
  protectedIds?: ReadonlySet<string> | undefined;
  /** Image IDs of deployments' last versions (the state store's): `butler rollback` goes back to them. */
  rollbackIds?: ReadonlySet<string> | undefined;
  /** `latest` protects nothing (force-rebuild: only containers protect an image). */
  ignoreLatest?: boolean | undefined;
  /** `butler force-rebuild`: every unprotected image goes, and the report says so (not "over count"). */
  forceRebuild?: boolean | undefined;
}

export type RemoveReason = 'over count' | 'over size' | 'forced by force-rebuild';

export interface RetentionPlan {
  remove: { image: RetentionCandidate; reason: RemoveReason }[];
  keep: { image: RetentionCandidate; reason: KeepReason }[];
}

const newestFirst = (a: RetentionCandidate, b: RetentionCandidate) =>
  compareCodeUnits(b.created, a.created) || compareCodeUnits(b.id, a.id);

/**
 * Decides what goes. Per repository, the count rule keeps the newest `keep` images (ties broken by
 * image ID). Then, with a disk budget, the least recently used of the rest that are older than
 * `minAge` go until the total fits. An image a container uses, the one `latest` points to, and
 * one with a tag matching a keep pattern are never planned for removal. Pure: no engine here.
 */
export function planRetention(images: readonly RetentionCandidate[], policy: RetentionPolicy): RetentionPlan {
  const plan: RetentionPlan = { remove: [], keep: [] };
  const byRepo = new Map<string, RetentionCandidate[]>();
  for (const image of images) byRepo.set(image.repo, [...(byRepo.get(image.repo) ?? []), image]);

  const keptByCount: RetentionCandidate[] = [];
  for (const [repo, list] of [...byRepo].sort(([a], [b]) => compareCodeUnits(a, b))) {
    const limit = policy.forceRebuild ? 0 : policy.keep(repo);
    [...list].sort(newestFirst).forEach((image, index) => {
      const protectedBy = protection(image, policy);
      if (protectedBy) plan.keep.push({ image, reason: protectedBy });
      else if (index < limit) keptByCount.push(image);
      else
        plan.remove.push({ image, reason: policy.forceRebuild ? 'forced by force-rebuild' : 'over count' });
    });
  }

  let total = images.reduce((sum, image) => sum + image.size, 0);
  for (const { image } of plan.remove) total -= image.size;
  const now = (policy.now ?? new Date()).getTime();
  const leastRecentlyUsedFirst = [...keptByCount].sort(
    (a, b) => compareCodeUnits(a.lastUsed, b.lastUsed) || compareCodeUnits(a.id, b.id),
  );
  for (const image of leastRecentlyUsedFirst) {
    const overBudget = policy.maxSizeBytes !== undefined && total > policy.maxSizeBytes;
    const young = now - Date.parse(image.created) < (policy.minAgeMs ?? 0);
    if (overBudget && !young) {
      plan.remove.push({ image, reason: 'over size' });
      total -= image.size;
    } else {
      plan.keep.push({ image, reason: overBudget ? 'within grace' : 'kept by count' });
    }
  }
  return plan;
}

function protection(image: RetentionCandidate, policy: RetentionPolicy): KeepReason | undefined {
  if (image.containers.length > 0) return 'in use';
  if (policy.protectedIds?.has(image.id)) return 'deployed';
  if (policy.rollbackIds?.has(image.id)) return 'kept for rollback';
  if (image.latest && !policy.ignoreLatest) return 'latest';
  if (policy.keepPatterns && image.tags.some(policy.keepPatterns)) return 'kept by pattern';
  return undefined;
}
