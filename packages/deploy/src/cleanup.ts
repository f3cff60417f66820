import { retentionInputs } from '@devops-butler/build-image';
import { type EngineEndpoint, endpointAddress } from '@devops-butler/engine-client';
import {
  createRetentionPolicy,
  type RetentionOptions,
  type RetentionReport,
  runRetention,
} from '@devops-butler/plugin-retention';
import type { DeployTarget, GoLiveOutcome } from './target.js';

/**
 * Retention on one engine after a deployment went live there: the repository's keep rule, never
 * the image it runs now, the one it ran a moment ago (the way back), what the target's other
 * deployments run, or the last versions kept for rollback. Undefined when turned off.
 */
export async function cleanupAfterDeploy(
  endpoint: EngineEndpoint,
  target: DeployTarget,
  live: GoLiveOutcome,
  run: {
    retention: RetentionOptions | undefined;
    repo: string;
    registry: string;
    imageId: string;
    stateDir: string;
    env: NodeJS.ProcessEnv;
  },
): Promise<RetentionReport | undefined> {
  const { retention, stateDir } = run;
  if (!retention || retention.auto === false) return undefined;
  return runRetention(endpoint, {
    repo: run.repo,
    registry: run.registry,
    stateDir,
    // Least recently used first, as after `butler build` (read only when a size limit needs it).
    ...(await retentionInputs(stateDir, endpointAddress(endpoint), {
      needLastUsed: retention.maxSize !== undefined,
    })),
    policy: {
      ...createRetentionPolicy(retention, { env: run.env }),
      protectedIds: new Set([
        run.imageId,
        ...(live.replaced ? [live.replaced.image] : []),
        ...(await target.imagesInUse()),
      ]),
    },
  });
}
