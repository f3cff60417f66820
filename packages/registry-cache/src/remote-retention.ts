import { LABELS } from '@devops-butler/core';
import {
  globMatcher,
  planRetention,
  type RetentionCandidate,
  type RetentionPolicy,
} from '@devops-butler/plugin-retention';
import { credentialsFor } from './credentials.js';
import { type Manifest, RegistryClient } from './registry-client.js';
import { parseRegistry, repositoryPath } from './registry-name.js';

/** `gc --remote` deletes nothing younger than this by default. */
export const DEFAULT_REMOTE_MIN_AGE_MS = 24 * 60 * 60 * 1000;

function formatAge(ms: number): string {
  return ms % 3_600_000 === 0
    ? `${ms / 3_600_000}h`
    : ms % 60_000 === 0
      ? `${ms / 60_000}m`
      : `${ms / 1000}s`;
}

/** One image (manifest digest) in the registry, as remote retention reports it. */
export interface RemoteEntry {
  repo: string;
  digest: string;
  tags: string[];
  created: string;
  reason: string;
}

export interface RemoteRetentionReport {
  registry: string;
  dryRun: boolean;
  removed: RemoteEntry[];
  kept: RemoteEntry[];
  /** Tags left alone because their image was not built by Butler. */
  foreign: number;
}

/**
 * Applies the per-repository keep rule to a registry's tags. Candidates are manifests whose image
 * carries Butler's managed label and the tag Butler wrote for its content hash; one that also
 * carries another tag (`prod`, `v1.2`) is skipped and reported; the one `latest` points to is
 * never deleted. Deleting a manifest
 * removes every tag on it; the registry's own garbage collection frees the blobs afterwards.
 */
export async function runRemoteRetention(options: {
  registry: string;
  /** One repository, a glob of them (`api-*`), or every repository under the registry's namespace. */
  repo?: string | undefined;
  policy: RetentionPolicy;
  /**
   * Nothing younger than this is deleted (default 24 h): the registry cannot see containers on
   * other machines, and a CI runner may be pulling an image built minutes ago.
   */
  minAgeMs?: number | undefined;
  dryRun?: boolean | undefined;
  env?: NodeJS.ProcessEnv | undefined;
  now?: Date | undefined;
  /**
   * Manifest digest → who runs it by digest (Swarm services, their previous specs): those are in
   * use wherever their tasks run, so they stay.
   */
  inUse?: ReadonlyMap<string, string[]> | undefined;
}): Promise<RemoteRetentionReport> {
  const location = parseRegistry(options.registry);
  const client = new RegistryClient(location, await credentialsFor(location.host, options.env));
  const prefix = location.namespace ? `${location.namespace}/` : '';
  const glob = options.repo?.includes('*') ? globMatcher(options.repo) : undefined;
  const repositories =
    options.repo && !glob
      ? [repositoryPath(location, options.repo)]
      : (await client.repositories(location.namespace)).filter(
          (path) => !glob || glob(path.slice(prefix.length)),
        );

  const candidates: (RetentionCandidate & { path: string })[] = [];
  const shared: RemoteEntry[] = [];
  let foreign = 0;
  for (const path of repositories) {
    const byDigest = new Map<string, { manifest: Manifest; tags: string[] }>();
    for (const tag of await client.tags(path)) {
      const manifest = await client.manifest(path, tag);
      if (!manifest) continue;
      const entry = byDigest.get(manifest.digest) ?? { manifest, tags: [] };
      entry.tags.push(tag);
      byDigest.set(manifest.digest, entry);
    }
    for (const [digest, { manifest, tags }] of byDigest) {
      const config = await configOf(client, path, manifest);
      // Butler's own: its label, and the tag Butler wrote for it (the content hash's first 12 hex
      // digits). An image built FROM a Butler image inherits the labels, not that tag.
      const hashTag = (config?.labels[LABELS.contentHash] ?? '').replace(/^sha256:/, '').slice(0, 12);
      if (config?.labels[LABELS.managed] !== 'true' || !hashTag || !tags.includes(hashTag)) {
        foreign += tags.length;
        continue;
      }
      const created = config.labels[LABELS.created] ?? config.created;
      // A delete takes every tag of the manifest: one that also carries someone's tag stays.
      const others = tags.filter((tag) => tag !== hashTag && tag !== 'latest');
      if (others.length > 0) {
        shared.push({
          repo: path.slice(prefix.length),
          digest,
          tags: tags.map((tag) => `${location.host}/${path}:${tag}`),
          created,
          reason: `also tagged ${others.join(', ')} (not by Butler)`,
        });
        continue;
      }
      candidates.push({
        path,
        id: digest,
        repo: path.slice(prefix.length),
        created,
        lastUsed: created,
        size: (manifest.layers ?? []).reduce((sum, layer) => sum + layer.size, 0),
        containers: options.inUse?.get(digest) ?? [],
        latest: tags.includes('latest'),
        tags: tags.map((tag) => `${location.host}/${path}:${tag}`),
      });
    }
  }

  // Sizes in a registry are shared blobs: only the count rule applies remotely.
  const plan = planRetention(candidates, { ...options.policy, maxSizeBytes: undefined });
  const entry = (image: RetentionCandidate, reason: string): RemoteEntry => ({
    repo: image.repo,
    digest: image.id,
    tags: image.tags,
    created: image.created,
    reason,
  });
  const minAgeMs = options.minAgeMs ?? DEFAULT_REMOTE_MIN_AGE_MS;
  const now = (options.now ?? new Date()).getTime();
  const young = (image: RetentionCandidate) => now - Date.parse(image.created) < minAgeMs;
  const youngKept = plan.remove.filter(({ image }) => young(image));
  const toRemove = plan.remove.filter(({ image }) => !young(image));
  const removed = toRemove.map(({ image, reason }) => entry(image, reason));
  if (!options.dryRun) {
    for (const { image } of toRemove) {
      await client.deleteManifest((image as (typeof candidates)[number]).path, image.id);
    }
  }
  return {
    registry: options.registry,
    dryRun: options.dryRun === true,
    removed,
    kept: [
      ...plan.keep.map(({ image, reason }) => entry(image, reason)),
      ...youngKept.map(({ image }) =>
        entry(image, `younger than ${formatAge(minAgeMs)} (other machines may be using it)`),
      ),
      ...shared,
    ],
    foreign,
  };
}

/** The config of a single image, or of a list's first image (labels are the same on every platform Butler builds). */
async function configOf(client: RegistryClient, path: string, manifest: Manifest) {
  if (manifest.config) return client.imageConfig(path, manifest.config.digest);
  const first = manifest.manifests?.[0];
  if (!first) return undefined;
  const child = await client.manifest(path, first.digest);
  return child?.config ? client.imageConfig(path, child.config.digest) : undefined;
}
