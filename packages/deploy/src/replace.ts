import { setTimeout as sleep } from 'node:timers/promises';
import type { EngineEndpoint } from '@devops-butler/backend-dockerode';
import { ButlerError } from '@devops-butler/core';
import {
  type ContainerSpec,
  type ContainerState,
  createContainer,
  enableRestarts,
  ensureNetwork,
  inspectContainer,
  logTail,
  removeContainer,
  renameContainer,
  startContainer,
} from './containers.js';
import { ensureFront, frontName } from './front.js';
import { type HealthOptions, waitHealthy } from './health.js';

/** Marks every container of a deployment (app and front) with the deployment's name. */
export const DEPLOYMENT_LABEL = 'devops-butler.deployment';

export interface ReplaceOptions {
  /** The deployment's name: the serving container's name, and what the front forwards to. */
  name: string;
  /** The image ID to run (compared with what the serving container runs). */
  image: string;
  network: string;
  env: Record<string, string>;
  /** Host ports the front publishes (127.0.0.1 by default); empty: no front. */
  ports: ContainerSpec['ports'];
  labels: Record<string, string>;
  health?: HealthOptions | undefined;
  /** Seconds the old container gets to finish in-flight requests after SIGTERM (default 10). */
  graceSeconds?: number | undefined;
  /** Pause between the swap and stopping the old container, for requests already on their way (default 1 s). */
  drainMs?: number | undefined;
  /** Replace even when the running container already runs this image. */
  force?: boolean | undefined;
  onStep?: ((message: string) => void) | undefined;
}

export interface ReplaceResult {
  /** `unchanged`: the running container already ran this image and was kept. */
  outcome: 'deployed' | 'unchanged';
  container: { id: string; name: string };
  /** The container that served before, now removed, and the image it ran. */
  replaced?: { id: string; image: string } | undefined;
}

/** Thrown when the new container is not healthy; the old one still serves. */
export class UnhealthyDeployError extends ButlerError {
  constructor(
    message: string,
    readonly logs: string[],
  ) {
    super('DEPLOY_FAILED', message, {
      hint: 'the previous container keeps serving; fix the app and deploy again',
    });
  }
}

/**
 * Starts the image beside the serving container, waits until it is healthy, then swaps names (the
 * front follows the name) and stops the old one with a grace period. When the new one is not
 * healthy it is removed and the old one is untouched.
 */
export async function replaceContainer(
  endpoint: EngineEndpoint,
  options: ReplaceOptions,
): Promise<ReplaceResult> {
  const step = options.onStep ?? (() => undefined);
  const { name } = options;
  await ensureNetwork(endpoint, options.network);
  const current = await ownContainer(endpoint, name, name);
  const labels = { ...options.labels, [DEPLOYMENT_LABEL]: name };

  if (current?.running && current.image === options.image && !options.force) {
    if (options.ports.length > 0) await ensureFront(endpoint, frontSpec(options, labels));
    step(`✔ ${name} already runs this image; kept (use --force to replace it)`);
    return { outcome: 'unchanged', container: { id: current.id, name } };
  }

  // A half-finished earlier deploy may have left its candidate, or the container it replaced, behind.
  const next = `${name}-next`;
  for (const stale of [next, `${name}-old`]) {
    const leftover = await ownContainer(endpoint, stale, name);
    if (leftover) await removeContainer(endpoint, leftover.id, 0);
  }

  const frontCreated =
    options.ports.length > 0 ? await ensureFront(endpoint, frontSpec(options, labels)) : false;
  const undo = async (id?: string) => {
    if (id) await removeContainer(endpoint, id, 0);
    // A first deploy that failed leaves nothing behind; a later one keeps the front serving the old app.
    if (frontCreated && !current) {
      const front = await inspectContainer(endpoint, frontName(name));
      if (front) await removeContainer(endpoint, front.id, 0);
    }
  };

  // The candidate publishes its ports on free 127.0.0.1 ports: the health check's way in.
  const containerPorts = [...new Set(options.ports.map((p) => p.container))];
  const candidate: ContainerSpec = {
    name: next,
    image: options.image,
    network: options.network,
    env: options.env,
    ports: containerPorts.map((container) => ({ hostIp: '127.0.0.1', host: 0, container })),
    labels,
    // No restarts while on trial: a crash then leaves the container exited, with its real exit code
    // and logs, instead of a restart loop racing the health check.
    restart: false,
  };
  let id: string | undefined;
  try {
    id = await createContainer(endpoint, candidate);
    await startContainer(endpoint, id, candidate.ports);
  } catch (error) {
    await undo(id);
    throw error;
  }
  step(`🚦 Started ${next}; waiting until it is healthy…`);
  const firstPort = containerPorts[0];
  const published =
    firstPort === undefined ? undefined : (await inspectContainer(endpoint, id))?.published[firstPort];
  const waitStarted = Date.now();
  const health = await waitHealthy(endpoint, id, { ...options.health, port: published });
  if (!health.healthy) {
    const logs = await logTail(endpoint, id);
    await undo(id);
    throw new UnhealthyDeployError(
      `the new container for ${name} is not healthy: ${health.reason}${current?.running ? `; ${name} keeps running the previous image` : ''}`,
      logs,
    );
  }

  step(`✔ Healthy after ${((Date.now() - waitStarted) / 1000).toFixed(1)}s`);
  await enableRestarts(endpoint, id);
  // The swap: the name moves to the new container; the front's next connections go there.
  if (current) await renameContainer(endpoint, current.id, `${name}-old`);
  await renameContainer(endpoint, id, name);
  step(`🔀 ${name} now runs the new container`);
  if (current) {
    await sleep(options.drainMs ?? 1000);
    await removeContainer(endpoint, current.id, options.graceSeconds ?? 10);
    step(`🧹 Stopped and removed the previous container`);
  }
  return {
    outcome: 'deployed',
    container: { id, name },
    replaced: current ? { id: current.id, image: current.image } : undefined,
  };
}

/** Stops and removes every container of a deployment; resolves with how many there were. */
export async function removeDeployment(
  endpoint: EngineEndpoint,
  name: string,
  graceSeconds = 10,
): Promise<number> {
  let removed = 0;
  for (const container of [name, `${name}-next`, `${name}-old`, frontName(name)]) {
    const found = await ownContainer(endpoint, container, name);
    if (!found) continue;
    await removeContainer(endpoint, found.id, graceSeconds);
    removed++;
  }
  return removed;
}

/** The container by that name when this deployment made it; a stranger's container is an error. */
async function ownContainer(
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

function frontSpec(options: ReplaceOptions, labels: Record<string, string>) {
  return { name: options.name, network: options.network, ports: options.ports, labels };
}
