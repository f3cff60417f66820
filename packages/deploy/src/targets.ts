import { engineEndpoint } from '@devops-butler/engine-client';
import type { DeploymentRecord } from '@devops-butler/state-store';
import { hostTarget } from './host/host-target.js';
import { swarmTarget } from './swarm/swarm-target.js';
import type { DeployTarget, TargetKind } from './target.js';

/**
 * The target of that kind on the engine the environment names (DOCKER_HOST, --host, a context).
 * `registry`: where a Swarm deploy's image goes (its nodes pull it from there).
 */
export function deployTarget(
  kind: TargetKind,
  options: { env: NodeJS.ProcessEnv; stateDir: string; command: string; registry?: string | undefined },
): DeployTarget {
  const endpoint = engineEndpoint(options.env);
  return kind === 'swarm' ? swarmTarget(endpoint, options) : hostTarget(endpoint, options.stateDir);
}

/** The kind of target a deployment's history says it runs on (records from before targets: the host). */
export function recordedTarget(history: readonly Pick<DeploymentRecord, 'target' | 'outcome'>[]): TargetKind {
  return history.find((record) => record.outcome !== 'failed')?.target ?? history[0]?.target ?? 'host';
}
