import { ButlerError, LABELS } from '@devops-butler/core';
import { type ContainerState, type EngineEndpoint, inspectContainer } from '@devops-butler/engine-client';

/** Marks every container of a deployment (app and front) with the deployment's name. */
export const DEPLOYMENT_LABEL = LABELS.deployment;
/** On a candidate that took over its predecessor's volumes: the predecessor's ID (stopped for it). */
export const TAKES_OVER_LABEL = LABELS.takesOver;
/** What the container was made with besides its image (env, mounts, network), as a digest. */
export const SETTINGS_LABEL = LABELS.deploySettings;

/** The container by that name when this deployment made it; a stranger's container is an error. */
export async function ownContainer(
  endpoint: EngineEndpoint,
  containerName: string,
  deployment: string,
): Promise<ContainerState | undefined> {
  const found = await inspectContainer(endpoint, containerName);
  if (!found) return undefined;
  if (found.labels[DEPLOYMENT_LABEL] !== deployment) {
    throw new ButlerError(
      'DEPLOY_FAILED',
      `a container named "${containerName}" exists and Butler did not deploy it as ${deployment}`,
      { hint: `remove or rename it, or deploy with another --name` },
    );
  }
  return found;
}
