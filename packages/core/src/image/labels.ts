import { createRequire } from 'node:module';
import type { BuildRequest, ImageTarget, ResolvedContext } from '../kernel/types.js';
import type { DependencySummary } from '../manifests/dependencies.js';

/**
 * Every label key Butler writes and reads back, in one table: on images (`managed` marks those
 * retention may consider) and on what deploys place (containers, fronts, services).
 */
export const LABELS = {
  managed: 'devops-butler.managed',
  repo: 'devops-butler.repo',
  contentHash: 'devops-butler.content-hash',
  version: 'devops-butler.version',
  dependencies: 'devops-butler.dependencies',
  created: 'org.opencontainers.image.created',
  source: 'org.opencontainers.image.source',
  revision: 'org.opencontainers.image.revision',
  /** On every container or service of a deployment: the deployment's name. */
  deployment: 'devops-butler.deployment',
  /** What a deployment runs with besides its image (env, mounts, network…), as a digest. */
  deploySettings: 'devops-butler.settings',
  /** On a candidate that stopped its predecessor to take its volumes over: that one's ID. */
  takesOver: 'devops-butler.takes-over',
  /** On a deployment's front (image and container): what it was made for. Never a retention candidate. */
  front: 'devops-butler.front',
} as const;

/** Labels are copied into every image config: the dependency summary is capped to stay small. */
const MAX_DEPENDENCY_LABEL = 8 * 1024;

/** Set by the CLI's bundle (packages/cli/scripts/bundle.mjs), which has no package.json beside it. */
declare const BUTLER_BUNDLED_VERSION: string | undefined;

export const BUTLER_VERSION: string =
  typeof BUTLER_BUNDLED_VERSION === 'string'
    ? BUTLER_BUNDLED_VERSION
    : (createRequire(import.meta.url)('../../package.json') as { version: string }).version;

/** The labels every image Butler builds carries (docs/hashing.md, "Labels"). */
export function buildLabels(
  request: BuildRequest,
  target: ImageTarget,
  context: ResolvedContext,
  now: Date = new Date(),
): Record<string, string> {
  const labels: Record<string, string> = {
    ...request.labels,
    [LABELS.created]: now.toISOString(),
    [LABELS.managed]: 'true',
    [LABELS.repo]: target.repo,
    [LABELS.contentHash]: `sha256:${target.digest}`,
    [LABELS.version]: BUTLER_VERSION,
  };
  const dependencies = context.metadata.dependencies as Record<string, DependencySummary> | undefined;
  if (dependencies !== undefined) labels[LABELS.dependencies] = dependencyLabel(dependencies);
  return labels;
}

/** The summary as JSON; when the direct lists make it too long, only the counts stay. */
export function dependencyLabel(summaries: Record<string, DependencySummary>): string {
  const full = JSON.stringify(summaries);
  if (full.length <= MAX_DEPENDENCY_LABEL) return full;
  const counts = Object.fromEntries(
    Object.entries(summaries).map(([ecosystem, summary]) => [ecosystem, { counts: summary.counts }]),
  );
  return JSON.stringify(counts);
}
