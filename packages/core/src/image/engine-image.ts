import type { ButlerHooks } from '../kernel/hooks.js';
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

/** What a backend can do with the engine's images: look one up, tag one. */
export interface EngineImages {
  /** The image by reference or ID, or undefined when the engine has none. */
  inspect(reference: string): Promise<EngineImageInspect | undefined>;
  /** Tags `id` as `repo:tag`. */
  tag(id: string, repo: string, tag: string): Promise<void>;
}

/**
 * The hooks every build backend answers the same way, whatever it builds with: the identity of
 * each base image (`hash`), the image already tagged for this content (`lookup`, verified by its
 * full content hash), and the two tags (`tag`). A backend taps these, then only its own `build`.
 */
export function tapEngineImageHooks(
  butler: { hooks: Pick<ButlerHooks, 'hash' | 'lookup' | 'tag'> },
  name: string,
  images: EngineImages,
): void {
  butler.hooks.hash.tapPromise(name, async (inputs, context) => {
    const ids = { ...inputs.images };
    for (const { reference } of context.images)
      ids[reference] = (await images.inspect(reference))?.Id ?? 'missing';
    return { ...inputs, images: ids };
  });
  butler.hooks.lookup.tapPromise(name, async (target) => {
    const found = await images.inspect(target.reference);
    if (!found) return undefined;
    const info = imageInfoFromInspect(found, target.reference);
    return imageMatchesTarget(info, target) ? info : undefined;
  });
  butler.hooks.tag.tapPromise(name, async ({ image, target }) => {
    if (alreadyTagged(image, target)) return;
    const repo = `${target.registry}/${target.repo}`;
    await images.tag(image.id, repo, target.tag);
    await images.tag(image.id, repo, 'latest');
  });
}
