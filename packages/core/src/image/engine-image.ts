import type { ImageInfo, ImageTarget } from '../kernel/types.js';
import { LABELS } from './labels.js';

/** The fields Butler reads from the Engine API's image inspect (`GET /images/{name}/json`). */
export interface EngineImageInspect {
  Id: string;
  Size?: number;
  Created?: string;
  RepoTags?: string[] | null;
  Config?: { Labels?: Record<string, string> | null } | null;
}

/** Maps an engine inspect result (dockerode or `docker image inspect`) to Butler's ImageInfo. */
export function imageInfoFromInspect(inspect: EngineImageInspect, reference: string): ImageInfo {
  return {
    id: inspect.Id,
    reference,
    size: inspect.Size ?? 0,
    created: inspect.Created ?? '',
    labels: inspect.Config?.Labels ?? {},
    tags: inspect.RepoTags ?? [],
  };
}

/**
 * True when the image really holds these inputs: its full content hash matches, not only the
 * 12-character tag (a hand-made or colliding tag must never be reused).
 */
export function imageMatchesTarget(image: ImageInfo, target: ImageTarget): boolean {
  return image.labels[LABELS.contentHash] === `sha256:${target.digest}`;
}

/** A reuse of an image that already carries both of the target's tags: tagging would change nothing. */
export function alreadyTagged(image: ImageInfo, target: ImageTarget): boolean {
  return (
    image.origin !== 'registry' &&
    !!image.tags?.includes(target.reference) &&
    image.tags.includes(target.latest)
  );
}
