import { setTimeout as sleep } from 'node:timers/promises';
import { sha256Hex } from '@devops-butler/core';
import {
  type ContainerSpec,
  createContainer,
  type EngineEndpoint,
  enableRestarts,
  ensureNetwork,
  inspectContainer,
  isAnonymousVolume,
  isLocalEndpoint,
  logTail,
  type Mount,
  removeContainer,
  renameContainer,
  startContainer,
  stopContainer,
} from '@devops-butler/engine-client';
import { UnhealthyDeployError } from '../shared/unhealthy.js';
import { failpoint } from './failpoint.js';
import { ensureFront, type FrontHold, frontName, holdFront } from './front.js';
import { frontProbe, type HealthOptions, localProbe, waitHealthy } from './health.js';
import { DEPLOYMENT_LABEL, ownContainer, SETTINGS_LABEL, TAKES_OVER_LABEL } from './own-container.js';
import { recoverInterruptedSwap } from './recovery.js';

export interface ReplaceOptions {
  /** The deployment's name: the serving container's name, and what the front forwards to. */
  name: string;
  /** The image ID to run (compared with what the serving container runs). */
  image: string;
  network: string;
  env: Record<string, string>;
  /** Named volumes and bind mounts (`-v`); the serving container's anonymous volumes are taken over. */
  mounts?: Mount[] | undefined;
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
  /** How long the front holds a new connection while no container takes it, before a 503. */
  holdMs?: number | undefined;
  onStep?: ((message: string) => void) | undefined;
}

export interface ReplaceResult {
  /** `unchanged`: the running container already ran this image and was kept. */
  outcome: 'deployed' | 'unchanged';
  container: { id: string; name: string };
  /** The container that served before, now removed, and the image it ran. */
  replaced?: { id: string; image: string } | undefined;
  /**
   * A volume handover's pause: from the moment the front held new connections (the old container
   * had to stop before the new one could start on its data) until the new one took them.
   */
  pausedMs?: number | undefined;
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
  const grace = options.graceSeconds ?? 10;
  await ensureNetwork(endpoint, options.network);
  await recoverInterruptedSwap(endpoint, name, grace, step);
  const current = await ownContainer(endpoint, name, name);
  const wanted = options.mounts ?? [];
  const labels = {
    ...options.labels,
    [DEPLOYMENT_LABEL]: name,
    [SETTINGS_LABEL]: settingsDigest(options.env, wanted, options.network),
  };

  const same = current?.image === options.image && current.labels[SETTINGS_LABEL] === labels[SETTINGS_LABEL];
  if (current?.running && same && !options.force) {
    if (options.ports.length > 0) await ensureFront(endpoint, frontSpec(options, labels));
    step(`✔ ${name} already runs this image; kept (use --force to replace it)`);
    return { outcome: 'unchanged', container: { id: current.id, name } };
  }

  const next = `${name}-next`;
  const frontCreated =
    options.ports.length > 0 ? await ensureFront(endpoint, frontSpec(options, labels)) : false;
  // Volumes hold what the app kept (a database, uploads): the new container takes the anonymous
  // ones over, as compose does when it recreates a service, and mounts the named ones it is given.
  // Two processes writing one data folder can corrupt it, so when the new container would share a
  // writable volume or folder with the old one, the old one stops first — a short gap instead of
  // the usual swap without one.
  const takeover = (current?.mounts ?? []).filter(
    (m) => isAnonymousVolume(m) && !wanted.some((w) => w.target === m.target),
  );
  const mounts = [...wanted, ...takeover];
  const shared = current?.running ? sharedWritable(current.mounts, mounts) : [];
  const handover = current !== undefined && shared.length > 0;
  // Set when a volume handover paused the service: the front holds new connections from then on.
  let pauseStarted: number | undefined;
  let hold: FrontHold | undefined;
  const undo = async (id?: string) => {
    // A candidate's own fresh anonymous volumes go with it; taken-over ones stay for their owner
    // (named volumes are never removed with a container).
    if (id) await removeContainer(endpoint, id, 0, takeover.length === 0);
    if (current && shared.length > 0) {
      await startContainer(endpoint, current.id, []);
      step(`↩️ Started ${name} again on its volumes`);
    }
    await hold?.release();
    // A first deploy that failed leaves nothing behind; a later one keeps the front serving the old app.
    if (frontCreated && !current) {
      const front = await inspectContainer(endpoint, frontName(name));
      if (front) await removeContainer(endpoint, front.id, 0, true);
    }
  };
  // On this machine's engine the candidate publishes its ports on free 127.0.0.1 ports: the health
  // check's way in. An engine elsewhere is asked from its side (through the front), unpublished.
  const local = isLocalEndpoint(endpoint) ? endpoint : undefined;
  const containerPorts = [...new Set(options.ports.map((p) => p.container))];
  const candidate: ContainerSpec = {
    name: next,
    image: options.image,
    network: options.network,
    env: options.env,
    ports: local ? containerPorts.map((container) => ({ hostIp: '127.0.0.1', host: 0, container })) : [],
    labels: current && shared.length > 0 ? { ...labels, [TAKES_OVER_LABEL]: current.id } : labels,
    mounts,
    // No restarts while on trial: a crash then leaves the container exited, with its real exit code
    // and logs, instead of a restart loop racing the health check.
    restart: false,
  };
  let id: string | undefined;
  try {
    id = await createContainer(endpoint, candidate);
    // Created before the old one stops: from here on, a killed deploy leaves a candidate whose
    // label tells recoverInterruptedSwap which container to start again.
    if (current && handover) {
      step(
        `🛑 ${name} keeps data in ${shared.map((m) => m.target).join(', ')}: stopping it so the new container can take the volumes over`,
      );
      // New connections wait in the front (not on a container about to stop); the ones already
      // forwarded finish first. The pause runs from here until the new container takes the name.
      pauseStarted = Date.now();
      if (options.ports.length > 0) hold = await holdFront(endpoint, name, options.drainMs ?? 1000);
      await failpoint('after-hold');
      await stopContainer(endpoint, current.id, grace);
      await failpoint('after-stop-old');
    }
    await startContainer(endpoint, id, candidate.ports);
  } catch (error) {
    await undo(id);
    throw error;
  }
  step(`🚦 Started ${next}; waiting until it is healthy…`);
  const firstPort = containerPorts[0];
  const published =
    firstPort === undefined || !local
      ? undefined
      : (await inspectContainer(endpoint, id))?.published[firstPort];
  const probe =
    firstPort === undefined
      ? undefined
      : local
        ? published === undefined
          ? undefined
          : localProbe(local, published)
        : frontProbe(endpoint, frontName(name), next, firstPort);
  const waitStarted = Date.now();
  // During a handover the service is paused: look often, and take the first sign of readiness
  // (HEALTHCHECK healthy, the health path, or the port accepting) instead of a settle period.
  const health = await waitHealthy(endpoint, id, {
    ...(handover ? { intervalMs: local ? 25 : 100, ...(probe !== undefined ? { settleMs: 0 } : {}) } : {}),
    ...options.health,
    probe,
  });
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
  await failpoint('after-health');
  // The swap: the name moves to the new container; the front's next connections go there. Every
  // state in between is one recoverInterruptedSwap knows, and the front serves in each.
  if (current) await renameContainer(endpoint, current.id, `${name}-old`);
  await failpoint('after-rename-old');
  await renameContainer(endpoint, id, name);
  await failpoint('after-rename-new');
  let pausedMs: number | undefined;
  if (pauseStarted !== undefined) {
    await hold?.release();
    pausedMs = Date.now() - pauseStarted;
    step(`⏸ ${name}: paused ${(pausedMs / 1000).toFixed(1)} s to hand the data volume over`);
  }
  step(`🔀 ${name} now runs the new container`);
  if (current) {
    // A stopped predecessor has no connections left to drain.
    if (!handover) await sleep(options.drainMs ?? 1000);
    await failpoint('during-drain');
    await removeContainer(endpoint, current.id, grace);
    step(
      `🧹 Stopped and removed the previous container${shared.length > 0 ? ' (its volumes serve the new one)' : ''}`,
    );
  }
  return {
    outcome: 'deployed',
    container: { id, name },
    replaced: current ? { id: current.id, image: current.image } : undefined,
    ...(pausedMs !== undefined ? { pausedMs } : {}),
  };
}

/** The candidate's writable mounts that the serving container also writes (same volume or folder). */
function sharedWritable(serving: readonly Mount[], candidate: readonly Mount[]): Mount[] {
  return candidate.filter(
    (m) => !m.readOnly && serving.some((s) => s.type === m.type && s.source === m.source && !s.readOnly),
  );
}

/** Env, mounts and network in a stable order: a redeploy that changes one of them replaces the container. */
function settingsDigest(env: Record<string, string>, mounts: readonly Mount[], network: string): string {
  const sorted = Object.entries(env).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return sha256Hex(JSON.stringify({ env: sorted, mounts, network })).slice(0, 16);
}

function frontSpec(options: ReplaceOptions, labels: Record<string, string>) {
  return {
    name: options.name,
    network: options.network,
    ports: options.ports,
    labels,
    holdMs: options.holdMs,
  };
}
