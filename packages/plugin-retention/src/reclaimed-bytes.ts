import type { EngineImageSummary } from '@devops-butler/engine-client';

/**
 * The bytes that removing `gone` gave back, from what the engine said before the removals: every
 * image (intermediate ones too) and the bytes each image held alone (Size − SharedSize).
 *
 * An image without a parent image (BuildKit's, a pulled one) frees what it held alone. An image
 * with one (the classic builder's and Buildah's chain of step images) frees everything above the
 * first ancestor that stays, for the engine removes with it each untagged parent that no other
 * image builds on: its size less that ancestor's. Docker's own-bytes figure says as much (its
 * SharedSize counts only images without children); Podman's counts the step images too, so there
 * an image it built holds almost nothing alone. Exact for one image, unless another image holds
 * the very same layers without building on those steps (the same bytes built twice); images
 * removed together can share layers that no other image has, and those are left out (a lower bound).
 */
export function reclaimedBytes(gone: readonly string[], before: DiskReportBefore): number {
  return reclaimedBytesIn(before)(gone);
}

/** What the engine said before the removals: every image, and the bytes each held alone. */
interface DiskReportBefore {
  images: readonly EngineImageSummary[];
  uniqueBytes: ReadonlyMap<string, number>;
}

/**
 * `reclaimedBytes` over one report, its index of images and children made once: `butler stats`
 * asks for every image of a repository, and a fresh index per image cost images² steps.
 */
export function reclaimedBytesIn(before: DiskReportBefore): (gone: readonly string[]) => number {
  const byId = new Map(before.images.map((image) => [image.Id, image]));
  const children = new Map<string, number>();
  for (const { ParentId: parent } of before.images)
    if (parent) children.set(parent, (children.get(parent) ?? 0) + 1);
  return (gone) => {
    let bytes = 0;
    for (const id of gone) {
      const image = byId.get(id);
      let parent = image && byId.get(image.ParentId);
      // Climb while the engine removes the parent with its only child.
      while (parent && parent.RepoTags.length === 0 && children.get(parent.Id) === 1)
        parent = byId.get(parent.ParentId);
      bytes += image && parent ? Math.max(0, image.Size - parent.Size) : (before.uniqueBytes.get(id) ?? 0);
    }
    return bytes;
  };
}
