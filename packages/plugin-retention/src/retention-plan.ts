/** One Butler-built image as retention sees it. */
export interface RetentionCandidate {
  id: string;
  repo: string;
  /** Build time (the `org.opencontainers.image.created` label), ISO 8601. */
  created: string;
  /** Some container, running or stopped, uses this image. */
  inUse: boolean;
  /** The repository's `latest` tag points here. */
  latest: boolean;
}

export type KeepReason = 'in use' | 'latest' | 'kept by count';

export interface RetentionPlan {
  remove: RetentionCandidate[];
  keep: { image: RetentionCandidate; reason: KeepReason }[];
}

/**
 * Per repository, keeps the `keep` most recently built images (ties broken by image ID) and never
 * plans to remove an image in use or the one `latest` points to. Pure: the engine is asked elsewhere.
 */
export function planRetention(
  images: readonly RetentionCandidate[],
  keep: (repo: string) => number,
): RetentionPlan {
  const plan: RetentionPlan = { remove: [], keep: [] };
  const byRepo = new Map<string, RetentionCandidate[]>();
  for (const image of images) byRepo.set(image.repo, [...(byRepo.get(image.repo) ?? []), image]);
  for (const [repo, list] of byRepo) {
    const newestFirst = [...list].sort(
      (a, b) => b.created.localeCompare(a.created) || b.id.localeCompare(a.id),
    );
    const limit = keep(repo);
    newestFirst.forEach((image, index) => {
      if (image.inUse) plan.keep.push({ image, reason: 'in use' });
      else if (image.latest) plan.keep.push({ image, reason: 'latest' });
      else if (index < limit) plan.keep.push({ image, reason: 'kept by count' });
      else plan.remove.push(image);
    });
  }
  return plan;
}
