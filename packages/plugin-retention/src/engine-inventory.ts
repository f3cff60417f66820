import { DEFAULT_REGISTRY, LABELS } from '@devops-butler/core';
import {
  deleteImageReference,
  type EngineEndpoint,
  type EngineImageSummary,
  type ImageDiskUsage,
  imageDiskUsage,
  imageUsers,
  listImages,
} from '@devops-butler/engine-client';
import { reclaimedBytesIn } from './reclaimed-bytes.js';
import type { RetentionCandidate } from './retention-plan.js';

/** A candidate plus what removal needs: its parent (children go first) and which tags are Butler's. */
export interface InventoryImage extends RetentionCandidate {
  parentId: string;
  /** `{registry}/{repo}:{hash12}` (its own content hash) and `:latest`: the tags retention may take away. */
  butlerTags: string[];
  /** The tag Butler wrote for the image's content: the lock a build of it holds has this name. */
  reference: string;
  /** Made before Butler's labels (the earlier tool's `{registry}/{repo}:{12 hex}`): only a manual gc touches it. */
  legacy?: boolean | undefined;
}

/** An image as the engine client lists it (tags in Docker's form, whatever the engine). */
export type EngineImage = EngineImageSummary;

/**
 * Lists the images Butler made, with what protects them. Butler's own are those with its managed
 * label *and* the tag Butler wrote for them — `{registry}/{repo}:{first 12 hex of their content
 * hash}` in the configured registry. An image built FROM a Butler image inherits the labels, not
 * that tag; a CI's `app:<12-hex git sha>` tag is not that tag either. Nothing else is read.
 * `registry` undefined (for listing, not removing) accepts that tag under any registry part.
 */
export async function loadInventory(
  endpoint: EngineEndpoint,
  registry: string | undefined,
  repo?: string,
  /** IDs of images Butler built here (the state store's): an untagged one of them is Butler's too. */
  builtByButler?: () => Promise<ReadonlySet<string>>,
): Promise<InventoryImage[]> {
  const labels = [`${LABELS.managed}=true`, ...(repo ? [`${LABELS.repo}=${repo}`] : [])];
  const [images, users] = await Promise.all([listImages(endpoint, { labels }), imageUsers(endpoint)]);
  // Asked only when there is an untagged candidate: opening the state store costs the hit path.
  const untagged = images.some((image) => image.RepoTags.length === 0);
  const built = untagged && builtByButler ? await builtByButler() : new Set<string>();
  return images.flatMap((image) => {
    const labelsOf = image.Labels ?? {};
    const imageRepo = labelsOf[LABELS.repo] ?? '';
    const hash12 = (labelsOf[LABELS.contentHash] ?? '').replace(/^sha256:/, '').slice(0, 12);
    const tags = image.RepoTags;
    const own = (tag: string, suffix: string) =>
      registry === undefined
        ? tag.endsWith(`/${imageRepo}:${suffix}`)
        : tag === `${registry}/${imageRepo}:${suffix}`;
    let reference = /^[0-9a-f]{12}$/.test(hash12) ? tags.find((t) => own(t, hash12)) : undefined;
    // Untagged and built here: the image a forced rebuild replaced. Its lock is its hash's.
    if (!reference && tags.length === 0 && built.has(image.Id)) {
      reference = `${registry ?? DEFAULT_REGISTRY}/${imageRepo}:${hash12}`;
    }
    if (!reference) return [];
    const latest = `${reference.slice(0, reference.lastIndexOf(':'))}:latest`;
    const created = labelsOf[LABELS.created] ?? new Date(image.Created * 1000).toISOString();
    const butlerTags = tags.filter((t) => t === reference || t === latest);
    return [candidate(image, { repo: imageRepo, created, reference, butlerTags, latest }, users)];
  });
}

/** An engine image as retention sees it, once it is known to be a candidate and which tags are its own. */
export function candidate(
  image: EngineImage,
  own: {
    repo: string;
    created: string;
    reference: string;
    butlerTags: string[];
    latest: string;
    legacy?: boolean;
  },
  users: Map<string, string[]>,
): InventoryImage {
  const tags = image.RepoTags;
  return {
    id: image.Id,
    repo: own.repo,
    created: own.created,
    lastUsed: own.created,
    size: image.Size,
    containers: users.get(image.Id) ?? [],
    latest: tags.includes(own.latest),
    tags,
    butlerTags: own.butlerTags,
    reference: own.reference,
    parentId: image.ParentId,
    ...(own.legacy ? { legacy: true } : {}),
  };
}

/**
 * What the engine says before removals: its layer total, the bytes each image holds alone, and
 * every image (intermediate ones too) with its parent. Asked at once; the disk-usage report is
 * slow on engines before API 1.42 (they size every container, volume and build cache record).
 */
export async function readDiskReport(endpoint: EngineEndpoint): Promise<DiskReport> {
  const [usage, images] = await Promise.all([imageDiskUsage(endpoint), listImages(endpoint, { all: true })]);
  return { ...usage, images };
}

export interface DiskReport extends ImageDiskUsage {
  images: EngineImageSummary[];
}

/**
 * Image ID → the bytes removing that image alone would give back (see reclaimed-bytes.ts): its
 * own layers, and those of the untagged step images the engine would remove with it.
 */
export async function uniqueBytesByImage(
  endpoint: EngineEndpoint,
  ids: readonly string[],
): Promise<Map<string, number>> {
  const reclaimed = reclaimedBytesIn(await readDiskReport(endpoint));
  return new Map(ids.map((id) => [id, reclaimed([id])]));
}

export type RemovalOutcome = 'removed' | 'untagged' | 'in use' | 'gone';

/**
 * Removes one image without force: its Butler tags one by one (an image that keeps someone else's
 * tag only loses Butler's; the engine deletes the image with its last tag). A refusal because a
 * container now uses it (409) is an outcome, not an error.
 */
export async function removeImage(endpoint: EngineEndpoint, image: InventoryImage): Promise<RemovalOutcome> {
  const otherTags = image.tags.filter((t) => !image.butlerTags.includes(t));
  for (const target of image.tags.length === 0 ? [image.id] : image.butlerTags) {
    if ((await deleteImageReference(endpoint, target)) === 'in use') return 'in use';
  }
  return otherTags.length > 0 ? 'untagged' : 'removed';
}
