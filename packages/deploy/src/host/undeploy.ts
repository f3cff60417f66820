import { type EngineEndpoint, isAnonymousVolume, removeContainer } from '@devops-butler/engine-client';
import type { RemovedDeployment } from '../target.js';
import { frontName } from './front.js';
import { ownContainer } from './own-container.js';

/**
 * Stops and removes every container of a deployment. Its volumes stay unless `removeVolumes`:
 * they are what the app kept, and a later deploy of the same name does not find them again.
 */
export async function removeDeployment(
  endpoint: EngineEndpoint,
  name: string,
  graceSeconds = 10,
  removeVolumes = false,
): Promise<RemovedDeployment> {
  let containers = 0;
  const kept = new Set<string>();
  for (const container of [name, `${name}-next`, `${name}-old`, frontName(name)]) {
    const found = await ownContainer(endpoint, container, name);
    if (!found) continue;
    await removeContainer(endpoint, found.id, graceSeconds, removeVolumes);
    // A named volume is the user's: it stays even with removeVolumes (the engine keeps it too).
    for (const mount of found.mounts) {
      if (mount.type === 'volume' && (!removeVolumes || !isAnonymousVolume(mount))) kept.add(mount.source);
    }
    containers++;
  }
  return { containers, keptVolumes: [...kept] };
}
