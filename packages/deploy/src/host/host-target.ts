import { ButlerError, LABELS } from '@devops-butler/core';
import {
  containersLabelled,
  type EngineEndpoint,
  endpointAddress,
  engineBuilder,
  enginePlatform,
  inspectContainer,
  inspectImage,
  isLocalEndpoint,
} from '@devops-butler/engine-client';
import type { DeployTarget } from '../target.js';
import { DEPLOYMENT_LABEL } from './own-container.js';
import { recoverDeployment } from './recovery.js';
import { replaceContainer } from './swap.js';
import { removeDeployment } from './undeploy.js';

/**
 * One engine, here or on another machine: Butler's own health-checked swap of containers behind a
 * front that keeps the published ports. On this machine the health checks ask the candidate's
 * 127.0.0.1 port; elsewhere they ask from the engine's side, through the front (`frontProbe`).
 */
export function hostTarget(
  endpoint: EngineEndpoint,
  stateDir: string,
  /** The address the ports are published on there, instead of each `--port`'s (one host of several). */
  { address }: { address?: string | undefined } = {},
): DeployTarget {
  return {
    kind: 'host',
    engine: endpointAddress(endpoint),
    async prepare() {
      // An engine elsewhere is asked once now: an unreachable host is one line before any build.
      if (!isLocalEndpoint(endpoint)) await enginePlatform(endpoint);
      await refuseDeployOnPodman(endpoint);
    },
    async goLive(release, { settings: given, appEnv, log, ...run }) {
      const settings = address
        ? { ...given, ports: given.ports.map((p) => ({ ...p, hostIp: address })) }
        : given;
      if (!isLocalEndpoint(endpoint) && settings.ports.some((p) => p.hostIp === '127.0.0.1')) {
        log.info(
          `📍 The ports are published on 127.0.0.1 of ${endpointAddress(endpoint)}: only that host reaches them (give --port ADDRESS:HOST:CONTAINER to publish on another address)`,
        );
      }
      const replaced = await replaceContainer(endpoint, {
        name: release.name,
        image: release.imageId,
        network: settings.network,
        env: appEnv,
        mounts: settings.mounts,
        ports: settings.ports,
        labels: {
          [LABELS.repo]: release.repo,
          [LABELS.source]: release.source,
          ...(release.commit ? { [LABELS.revision]: release.commit } : {}),
        },
        health: {
          ...(run.settleMs === undefined ? {} : { settleMs: run.settleMs }),
          ...(settings.healthTimeoutMs === undefined ? {} : { timeoutMs: settings.healthTimeoutMs }),
          ...(settings.healthPath === undefined ? {} : { path: settings.healthPath }),
        },
        graceSeconds: run.graceSeconds,
        drainMs: settings.drainMs,
        holdMs: settings.holdMs,
        force: run.force,
        onStep: (message) => log.info(message),
      });
      return {
        outcome: replaced.outcome,
        placed: { target: 'host', ...replaced.container },
        replaced: replaced.replaced,
        ...(replaced.pausedMs !== undefined ? { pausedMs: replaced.pausedMs } : {}),
      };
    },
    canPlace: async (release) => (await inspectImage(endpoint, release.imageId)) !== undefined,
    async running(name, step) {
      // A deploy that was killed mid-swap is brought back to a serving state before it is looked at.
      await recoverDeployment(endpoint, stateDir, name, step);
      const container = await inspectContainer(endpoint, name);
      if (!container) return { status: 'missing' };
      return { status: container.running ? 'running' : 'exited', imageId: container.image };
    },
    remove: (name, { graceSeconds, removeVolumes }) =>
      removeDeployment(endpoint, name, graceSeconds, removeVolumes),
    async imagesInUse() {
      const containers = await containersLabelled(endpoint, DEPLOYMENT_LABEL);
      return new Set(containers.map((container) => container.image));
    },
  };
}

/**
 * Podman builds, tags and runs what Butler asks, but a deploy's checks do not pass there (checked
 * with Podman 4.3 on Debian 12): the front that owns the published ports never becomes reachable,
 * and a candidate that keeps running is never reported healthy. Said before anything is built,
 * not after a minute of waiting.
 */
async function refuseDeployOnPodman(endpoint: EngineEndpoint): Promise<void> {
  if ((await engineBuilder(endpoint))?.engine !== 'podman') return;
  throw new ButlerError(
    'DEPLOY_FAILED',
    'butler deploy does not run on Podman yet: the swap’s health checks and its port-keeping front do not work through Podman 4.3’s API',
    {
      hint: 'butler build works on Podman: build there and run the image with podman run, or deploy on Docker',
    },
  );
}
