import { type EngineEndpoint, engineError, engineRequest } from './engine-api.js';
import { engineBuilder, hasBuildKit } from './engine-builder.js';
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
 * `all`: the classic builder's intermediate images too (untagged, with children).
 */
export async function listImages(
  endpoint: EngineEndpoint,
  options: { labels?: readonly string[]; all?: boolean } = {},
): Promise<EngineImageSummary[]> {
  const [first, ...rest] = options.labels ?? [];
  const query = new URLSearchParams();
  if (first) query.set('filters', JSON.stringify({ label: [first] }));
  if (options.all) query.set('all', '1');
  const search = query.size > 0 ? `?${query}` : '';
  const { status, body } = await engineRequest(endpoint, 'GET', `/images/json${search}`);
  if (status !== 200) throw engineError(status, body);
  return (body as EngineImageSummary[])
    .filter((image) => rest.every((label) => hasLabel(image.Labels ?? {}, label)))
    .map((image) => ({
      ...image,
      Id: dockerImageId(image.Id),
      ParentId: image.ParentId ? dockerImageId(image.ParentId) : '',
      RepoTags: familiarTags(image.RepoTags),
    }));
}

/** An image ID as Docker writes it: Podman leaves out the `sha256:` (in parent IDs, in `/system/df`). */
function dockerImageId(id: string): string {
  return id.includes(':') ? id : `sha256:${id}`;
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

/**
 * `type=image` (API 1.42+, Docker 23+) spares the engine sizing every container, volume and build
 * cache record, which nothing here reads; older engines and Podman ignore it and answer in full.
 */
export async function imageDiskUsage(endpoint: EngineEndpoint): Promise<ImageDiskUsage> {
  const { status, body } = await engineRequest(endpoint, 'GET', '/system/df?type=image');
  if (status !== 200) throw engineError(status, body);
  const { LayersSize, Images } = body as {
    LayersSize: number;
    Images: { Id: string; Size: number; SharedSize: number }[] | null;
  };
  const images = Images ?? [];
  return {
    layersSize: LayersSize === 0 && images.some((image) => image.Size > 0) ? undefined : LayersSize,
    uniqueBytes: new Map(
      images.map((image) => [
        dockerImageId(image.Id),
        image.SharedSize >= 0 ? image.Size - image.SharedSize : image.Size,
      ]),
    ),
  };
}

/** BuildKit's own build cache (cache mounts, layers of steps): outside images, so retention never sees it. */
export interface BuildCacheUsage {
  /**
   * Bytes the records take (in use or not), as `docker system df` and BuildKit's own prune count
   * them: a shared record (its snapshot is also other records') is left out. Summing every record
   * said 16.5 GB here where docker said 8.0, and a `--build-cache` limit under that sum could be one
   * BuildKit already met: nothing pruned.
   */
  bytes: number;
  /** Bytes of records no running build uses: what a prune may free. */
  reclaimableBytes: number;
  records: number;
}

/** One record of BuildKit's build cache, as `GET /system/df` lists it. */
export interface BuildCacheRecord {
  id: string;
  size: number;
  inUse: boolean;
  /** Its snapshot is also other records' (counted with them, freed with the last of them). */
  shared: boolean;
  createdAt: string;
  /** What made it, as `docker system df -v` shows it: a step's command, "local source for context". */
  description: string;
}

/** BuildKit's records; undefined where the engine keeps none (Podman, no BuildKit). */
export async function buildCacheRecords(endpoint: EngineEndpoint): Promise<BuildCacheRecord[] | undefined> {
  // Only the build cache, where the engine can tell (see imageDiskUsage).
  const { status, body } = await engineRequest(endpoint, 'GET', '/system/df?type=build-cache');
  if (status !== 200) throw engineError(status, body);
  const records = (
    body as {
      BuildCache?:
        | {
            ID: string;
            Size: number;
            InUse: boolean;
            Shared: boolean;
            CreatedAt: string;
            Description?: string;
          }[]
        | null;
    }
  ).BuildCache;
  if (!Array.isArray(records) || records.length === 0)
    return (await keepsBuildCache(endpoint)) ? [] : undefined;
  return records.map((record) => ({
    id: record.ID,
    size: record.Size,
    inUse: record.InUse,
    shared: record.Shared,
    createdAt: record.CreatedAt,
    description: record.Description ?? '',
  }));
}

/**
 * Whether the engine has BuildKit's cache at all. An empty answer does not say: Docker sends `null`
 * for an empty cache (a new engine, or one just pruned), Podman (no BuildKit) `[]` always. Its
 * `/_ping` does.
 */
async function keepsBuildCache(endpoint: EngineEndpoint): Promise<boolean> {
  return hasBuildKit(await engineBuilder(endpoint));
}

/** `GET /system/df`'s BuildCache, summed; undefined where the engine keeps none (Podman, no BuildKit). */
export async function buildCacheUsage(endpoint: EngineEndpoint): Promise<BuildCacheUsage | undefined> {
  const records = await buildCacheRecords(endpoint);
  if (!records) return undefined;
  let bytes = 0;
  let reclaimableBytes = 0;
  for (const record of records) {
    if (record.shared) continue;
    bytes += record.size;
    if (!record.inUse) reclaimableBytes += record.size;
  }
  return { bytes, reclaimableBytes, records: records.length };
}

/**
 * Prunes one record of BuildKit's build cache by its ID (the engine takes one ID per request);
 * resolves with the bytes it freed: 0 when a build uses it or another record still needs it.
 */
export async function pruneBuildCacheRecord(endpoint: EngineEndpoint, id: string): Promise<number> {
  const filters = encodeURIComponent(JSON.stringify({ id: [id] }));
  const { status, body } = await engineRequest(endpoint, 'POST', `/build/prune?all=1&filters=${filters}`);
  if (status !== 200) throw engineError(status, body);
  return (body as { SpaceReclaimed?: number }).SpaceReclaimed ?? 0;
}

/**
 * Prunes BuildKit's build cache down to `keepBytes` (least recently used first, as
 * `docker builder prune --all --keep-storage` does); resolves with the bytes it freed.
 */
export async function pruneBuildCache(endpoint: EngineEndpoint, keepBytes: number): Promise<number> {
  const { status, body } = await engineRequest(
    endpoint,
    'POST',
    // all=1: every record no build uses is a candidate, not only dangling ones (docker builder prune
    // --all --keep-storage): "keep the cache under SIZE" must be able to reach SIZE.
    `/build/prune?all=1&keep-storage=${Math.max(0, Math.floor(keepBytes))}`,
  );
  if (status !== 200) throw engineError(status, body);
  return (body as { SpaceReclaimed?: number }).SpaceReclaimed ?? 0;
}

/**
 * Deletes one image reference (a tag, or an ID) without force. `in use`: a container uses it (the
 * engine refuses with 409); `gone`: there was no such reference.
 */
export async function deleteImageReference(
  endpoint: EngineEndpoint,
  reference: string,
): Promise<'deleted' | 'in use' | 'gone'> {
  const { status, body } = await engineRequest(
    endpoint,
    'DELETE',
    `/images/${encodeURIComponent(reference)}`,
  );
  if (status === 404) return 'gone';
  if (status === 409) return 'in use';
  if (status !== 200) throw engineError(status, body);
  return 'deleted';
}

/** Tags an image (`repo:tag`), as `docker tag` does. */
export async function tagImage(
  endpoint: EngineEndpoint,
  id: string,
  repo: string,
  tag: string,
): Promise<void> {
  const query = new URLSearchParams({ repo, tag }).toString();
  const { status, body } = await engineRequest(
    endpoint,
    'POST',
    `/images/${encodeURIComponent(id)}/tag?${query}`,
  );
  if (status !== 201 && status !== 200) throw engineError(status, body);
}

/** One layer of `docker history`. */
export interface ImageHistoryEntry {
  Id: string;
  Created: number;
  CreatedBy: string;
  Size: number;
  Comment?: string;
}

/** An image's layers, newest first (`GET /images/{id}/history`). */
export async function imageHistory(endpoint: EngineEndpoint, id: string): Promise<ImageHistoryEntry[]> {
  const { status, body } = await engineRequest(endpoint, 'GET', `/images/${encodeURIComponent(id)}/history`);
  if (status !== 200) throw engineError(status, body);
  return body as ImageHistoryEntry[];
}

/** The engine's platform as `os/arch` (`GET /version`). */
export async function enginePlatform(endpoint: EngineEndpoint): Promise<string> {
  const { status, body } = await engineRequest(endpoint, 'GET', '/version');
  if (status !== 200) throw engineError(status, body);
  const { Os, Arch } = body as { Os?: string; Arch?: string };
  return `${Os ?? 'linux'}/${Arch ?? 'amd64'}`;
}
