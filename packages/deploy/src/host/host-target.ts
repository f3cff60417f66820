import { ButlerError, LABELS } from '@devops-butler/core';
import {
  containersLabelled,
  type EngineEndpoint,
  endpointAddress,
  engineBuilder,
  inspectContainer,
  inspectImage,
  isLocalEndpoint,
  type LocalEngineEndpoint,
} from '@devops-butler/engine-client';
import type { DeployTarget } from '../target.js';
import { DEPLOYMENT_LABEL } from './own-container.js';
import { recoverDeployment } from './recovery.js';
import { replaceContainer } from './swap.js';
import { removeDeployment } from './undeploy.js';

/**
 * One engine: Butler's own health-checked swap of containers behind a front that keeps the
 * published ports. Placing a version needs the engine on this machine (its 127.0.0.1 ports are
 * where the health checks reach the app, and the front's image is made of this machine's `node`),
 * which `LocalEngineEndpoint` says; looking at and removing deployments works on any engine.
 */
export function hostTarget(endpoint: EngineEndpoint, stateDir: string, command = 'deploy'): DeployTarget {
  return {
    kind: 'host',
    engine: endpointAddress(endpoint),
    prepare: () => refuseDeployOnPodman(onThisMachine(endpoint, command)),
    async goLive(release, { settings, appEnv, log, ...run }) {
      const replaced = await replaceContainer(onThisMachine(endpoint, command), {
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

/** The endpoint when its engine is this machine's; a remote one is refused in one line. */
function onThisMachine(endpoint: EngineEndpoint, command: string): LocalEngineEndpoint {
  if (isLocalEndpoint(endpoint)) return endpoint;
  throw new ButlerError(
    'ENGINE_UNREACHABLE',
    `butler ${command} runs against an engine on this machine for now, and ${endpointAddress(endpoint)} is another one (its health checks reach the app on 127.0.0.1)`,
    { hint: `run butler ${command} on that host (ssh there), or build here and ${command} there` },
  );
}

/**
 * Podman builds, tags and runs what Butler asks, but a deploy's checks do not pass there (checked
 * with Podman 4.3 on Debian 12): the front that owns the published ports never becomes reachable,
 * and a candidate that keeps running is never reported healthy. Said before anything is built,
 * not after a minute of waiting.
 */
async function refuseDeployOnPodman(endpoint: LocalEngineEndpoint): Promise<void> {
  if ((await engineBuilder(endpoint))?.engine !== 'podman') return;
  throw new ButlerError(
    'DEPLOY_FAILED',
    'butler deploy does not run on Podman yet: the swap’s health checks and its port-keeping front do not work through Podman 4.3’s API',
    {
      hint: 'butler build works on Podman: build there and run the image with podman run, or deploy on Docker',
    },
  );
}
