import { LABELS } from '@devops-butler/core';
import { type EngineEndpoint, imageUsers, listImages } from '@devops-butler/engine-client';
import { candidate, type InventoryImage } from './engine-inventory.js';

/**
 * Images the earlier image manager made, before Butler's labels: tagged
 * `{registry}/{repo}:{exactly 12 hex digits}` in the configured registry namespace, with no
 * Butler label at all. Anything else stays foreign. `repo` narrows to one repository.
 */
export async function loadLegacyImages(
  endpoint: EngineEndpoint,
  registry: string,
  repo?: string,
): Promise<InventoryImage[]> {
  const [images, users] = await Promise.all([listImages(endpoint), imageUsers(endpoint)]);
  const prefix = `${registry}/`;
  return images.flatMap((image) => {
    if (image.Labels?.[LABELS.managed] !== undefined) return [];
    const tags = image.RepoTags;
    const hashTags = tags.filter((tag) => {
      if (!tag.startsWith(prefix)) return false;
      const colon = tag.lastIndexOf(':');
      return /^[0-9a-f]{12}$/.test(tag.slice(colon + 1)) && colon > prefix.length;
    });
    const first = hashTags[0];
    if (!first) return [];
    const imageRepo = first.slice(prefix.length, first.lastIndexOf(':'));
    if (repo !== undefined && imageRepo !== repo) return [];
    const own = hashTags.filter((tag) => tag.slice(prefix.length, tag.lastIndexOf(':')) === imageRepo);
    const latest = `${prefix}${imageRepo}:latest`;
    const created = new Date(image.Created * 1000).toISOString();
    const butlerTags = tags.includes(latest) ? [...own, latest] : own;
    return [
      candidate(
        image,
        { repo: imageRepo, created, reference: first, butlerTags, latest, legacy: true },
        users,
      ),
    ];
  });
}
