import { type EngineEndpoint, engineError, engineRequest } from './engine-api.js';
import { familiarTags } from './familiar-tags.js';

/** One entry of `GET /images/json`, tags in Docker's form. */
export interface EngineImageSummary {
  Id: string;
  ParentId: string;
  RepoTags: string[];
  Size: number;
  Created: number;
  Labels: Record<string, string> | null;
}

/**
 * `GET /images/json`, tags in Docker's form; with `labels` (`key=value` or `key`), only images
 * that carry all of them. The engine is asked to filter by the first only: Podman 4.3 answers
 * nothing for two label filters, where Docker takes them as "all of these"; the rest is checked here.
 */
export async function listImages(
  endpoint: EngineEndpoint,
  options: { labels?: readonly string[] } = {},
): Promise<EngineImageSummary[]> {
  const [first, ...rest] = options.labels ?? [];
  const query = first ? `?filters=${encodeURIComponent(JSON.stringify({ label: [first] }))}` : '';
  const { status, body } = await engineRequest(endpoint, 'GET', `/images/json${query}`);
  if (status !== 200) throw engineError(status, body);
  return (body as EngineImageSummary[])
    .filter((image) => rest.every((label) => hasLabel(image.Labels ?? {}, label)))
    .map((image) => ({ ...image, RepoTags: familiarTags(image.RepoTags) }));
}

function hasLabel(labels: Record<string, string>, filter: string): boolean {
  const eq = filter.indexOf('=');
  return eq === -1 ? filter in labels : labels[filter.slice(0, eq)] === filter.slice(eq + 1);
}

/** What `GET /system/df` says about images. */
export interface ImageDiskUsage {
  /**
   * Bytes all image layers take; undefined where the engine does not count them (Podman 4 answers
   * 0 whatever it stores): then what a removal gave back can only be estimated.
   */
  layersSize: number | undefined;
  /** Image ID → bytes only that image holds (Size − SharedSize). */
  uniqueBytes: Map<string, number>;
}

export async function imageDiskUsage(endpoint: EngineEndpoint): Promise<ImageDiskUsage> {
  const { status, body } = await engineRequest(endpoint, 'GET', '/system/df');
  if (status !== 200) throw engineError(status, body);
  const { LayersSize, Images } = body as {
    LayersSize: number;
    Images: { Id: string; Size: number; SharedSize: number }[] | null;
  };
  const images = Images ?? [];
  return {
    layersSize: LayersSize === 0 && images.some((image) => image.Size > 0) ? undefined : LayersSize,
    uniqueBytes: new Map(
      // Podman leaves out the `sha256:` every other answer (and Docker here) puts on image IDs.
      images.map((image) => [
        image.Id.includes(':') ? image.Id : `sha256:${image.Id}`,
        image.SharedSize >= 0 ? image.Size - image.SharedSize : image.Size,
      ]),
    ),
  };
}
