import { type EngineEndpoint, engineError, engineRequest } from '@devops-butler/backend-dockerode';
import { LABELS } from '@devops-butler/core';
import type { RetentionCandidate } from './retention-plan.js';

/** A candidate plus what removal needs: its parent (children go first) and which tags are Butler's. */
export interface InventoryImage extends RetentionCandidate {
  parentId: string;
  /** `{registry}/{repo}:{hash12}` and `:latest` tags: the ones retention may take away. */
  butlerTags: string[];
}

interface EngineImage {
  Id: string;
  ParentId: string;
  RepoTags: string[] | null;
  Size: number;
  Created: number;
  Labels: Record<string, string> | null;
}

interface EngineContainer {
  Names: string[];
  ImageID: string;
}

/** Lists the images Butler made (its managed label) with what protects them; nothing else is read. */
export async function loadInventory(endpoint: EngineEndpoint, repo?: string): Promise<InventoryImage[]> {
  const labels = [`${LABELS.managed}=true`, ...(repo ? [`${LABELS.repo}=${repo}`] : [])];
  const filters = encodeURIComponent(JSON.stringify({ label: labels }));
  const [images, containers] = await Promise.all([
    get<EngineImage[]>(endpoint, `/images/json?filters=${filters}`),
    get<EngineContainer[]>(endpoint, '/containers/json?all=1'),
  ]);
  const users = usersByImage(containers);
  return images.map((image) => {
    const labelsOf = image.Labels ?? {};
    const imageRepo = labelsOf[LABELS.repo] ?? '';
    const tags = (image.RepoTags ?? []).filter((t) => t !== '<none>:<none>');
    const created = labelsOf[LABELS.created] ?? new Date(image.Created * 1000).toISOString();
    return {
      id: image.Id,
      repo: imageRepo,
      created,
      lastUsed: created,
      size: image.Size,
      containers: users.get(image.Id) ?? [],
      latest: tags.some((t) => isRepoTag(t, imageRepo) && t.endsWith(':latest')),
      tags,
      butlerTags: tags.filter((t) => isRepoTag(t, imageRepo) && /:([0-9a-f]{12}|latest)$/.test(t)),
      parentId: image.ParentId,
    };
  });
}

/** Image ID → names of the containers (running or stopped) that use it. */
export async function imageUsers(endpoint: EngineEndpoint): Promise<Map<string, string[]>> {
  return usersByImage(await get<EngineContainer[]>(endpoint, '/containers/json?all=1'));
}

function usersByImage(containers: EngineContainer[]): Map<string, string[]> {
  const users = new Map<string, string[]>();
  for (const c of containers) {
    users.set(c.ImageID, [...(users.get(c.ImageID) ?? []), c.Names[0]?.replace(/^\//, '') ?? '?']);
  }
  return users;
}

/** True for `{anything}/{repo}:{tag}` or `{repo}:{tag}`. */
function isRepoTag(tag: string, repo: string): boolean {
  const name = tag.slice(0, tag.lastIndexOf(':'));
  return name === repo || name.endsWith(`/${repo}`);
}

interface DiskUsage {
  LayersSize: number;
  Images: { Id: string; Size: number; SharedSize: number }[] | null;
}

/** Bytes all image layers take, as the engine counts them (for the bytes a run gave back). */
export async function layersSize(endpoint: EngineEndpoint): Promise<number> {
  return (await get<DiskUsage>(endpoint, '/system/df')).LayersSize;
}

/**
 * Bytes only these images hold (Size − SharedSize from the engine's disk-usage report, which older
 * engines compute only there). Layers shared among the images themselves count as shared, so this
 * is a lower bound.
 */
export async function uniqueBytes(endpoint: EngineEndpoint, ids: readonly string[]): Promise<number> {
  const unique = await uniqueBytesByImage(endpoint);
  return ids.reduce((sum, id) => sum + (unique.get(id) ?? 0), 0);
}

/** Image ID → bytes only that image holds, from one disk-usage report (it is slow to compute). */
export async function uniqueBytesByImage(endpoint: EngineEndpoint): Promise<Map<string, number>> {
  const { Images } = await get<DiskUsage>(endpoint, '/system/df');
  return new Map(
    (Images ?? []).map((image) => [
      image.Id,
      image.SharedSize >= 0 ? image.Size - image.SharedSize : image.Size,
    ]),
  );
}

export type RemovalOutcome = 'removed' | 'untagged' | 'in use' | 'gone';

/**
 * Removes one image without force: its Butler tags one by one (an image that keeps a non-Butler
 * tag only loses Butler's), or the image by ID when it has no tag. A refusal because a container
 * now uses it (409) is an outcome, not an error.
 */
export async function removeImage(endpoint: EngineEndpoint, image: InventoryImage): Promise<RemovalOutcome> {
  const otherTags = image.tags.filter((t) => !image.butlerTags.includes(t));
  const targets = image.tags.length === 0 ? [image.id] : image.butlerTags;
  if (targets.length === 0) return 'in use';
  for (const target of targets) {
    const { status, body } = await engineRequest(endpoint, 'DELETE', `/images/${encodeURIComponent(target)}`);
    if (status === 404) continue;
    if (status === 409) return 'in use';
    if (status !== 200) throw engineError(status, body);
  }
  return otherTags.length > 0 ? 'untagged' : 'removed';
}

async function get<T>(endpoint: EngineEndpoint, path: string): Promise<T> {
  const { status, body } = await engineRequest(endpoint, 'GET', path);
  if (status !== 200) throw engineError(status, body);
  return body as T;
}
