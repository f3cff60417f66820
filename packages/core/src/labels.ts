import { createRequire } from 'node:module';
import type { BuildRequest, ImageTarget, ResolvedContext } from './types.js';

/** Label keys Butler reads back; `managed` marks images retention may consider. */
export const LABELS = {
  managed: 'devops-butler.managed',
  repo: 'devops-butler.repo',
  contentHash: 'devops-butler.content-hash',
  version: 'devops-butler.version',
  dependencies: 'devops-butler.dependencies',
  created: 'org.opencontainers.image.created',
  source: 'org.opencontainers.image.source',
  revision: 'org.opencontainers.image.revision',
} as const;

/** Labels are copied into every image config: the dependency summary is capped to stay small. */
const MAX_DEPENDENCY_LABEL = 8 * 1024;

export const BUTLER_VERSION: string = (
  createRequire(import.meta.url)('../package.json') as { version: string }
).version;

/** The labels every image Butler builds carries (DESIGN.md section 4). */
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
  const dependencies = context.metadata.dependencies;
  if (dependencies !== undefined) {
    const text = JSON.stringify(dependencies);
    if (text.length <= MAX_DEPENDENCY_LABEL) labels[LABELS.dependencies] = text;
  }
  return labels;
}
