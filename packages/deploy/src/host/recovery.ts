import { ButlerError, withTargetLock } from '@devops-butler/core';
import {
  type ContainerState,
  type EngineEndpoint,
  removeContainer,
  renameContainer,
  startContainer,
} from '@devops-butler/engine-client';
import { deploymentLock } from '../shared/locks.js';
import { releaseFront } from './front.js';
import { ownContainer, TAKES_OVER_LABEL } from './own-container.js';
import { planRecovery, type SwapMember } from './recovery-plan.js';

/** Brings a deployment that a killed or failed deploy left between two states back to one that serves (see `planRecovery`). */
export async function recoverInterruptedSwap(
  endpoint: EngineEndpoint,
  name: string,
  graceSeconds: number,
  step: (message: string) => void = () => undefined,
): Promise<void> {
  const member = (found: ContainerState | undefined): SwapMember | undefined =>
    found && { id: found.id, running: found.running, tookOver: found.labels[TAKES_OVER_LABEL] };
  const plan = planRecovery(name, {
    serving: member(await ownContainer(endpoint, name, name)),
    old: member(await ownContainer(endpoint, `${name}-old`, name)),
    next: member(await ownContainer(endpoint, `${name}-next`, name)),
  });
  for (const action of plan) {
    if (action.do === 'rename') await renameContainer(endpoint, action.id, action.to);
    else if (action.do === 'remove')
      await removeContainer(endpoint, action.id, action.grace ? graceSeconds : 0, action.removeVolumes);
    else if (action.do === 'start') await startContainer(endpoint, action.id, []);
    else if (action.do === 'release-front') await releaseFront(endpoint, name);
    else step(action.message);
  }
}

/**
 * For `butler list`: recovers a half-done swap of `name`, unless a deploy of it holds the lock
 * right now (then the swap is in progress, not half-done).
 */
export async function recoverDeployment(
  endpoint: EngineEndpoint,
  stateDir: string,
  name: string,
  step: (message: string) => void,
): Promise<void> {
  await withTargetLock(
    stateDir,
    deploymentLock(name),
    () => recoverInterruptedSwap(endpoint, name, 10, step),
    {
      timeoutMs: 0,
    },
  ).catch((error: unknown) => {
    if (!(ButlerError.isInstance(error) && error.code === 'LOCK_TIMEOUT')) throw error;
  });
}
