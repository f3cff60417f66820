import { ButlerError, DEFAULT_REGISTRY, LABELS } from '@devops-butler/core';
import {
  createService,
  type EngineEndpoint,
  endpointAddress,
  inspectImage,
  inspectRemote,
  inspectService,
  listServices,
  NOT_FOUND,
  removeService,
  type ServiceState,
  serviceTasks,
  swarmMembership,
  updateService,
} from '@devops-butler/engine-client';
import { ensurePublished, registryAuthFor } from '../shared/publish.js';
import type { DeployTarget, Release, RemovedDeployment, RunningState } from '../target.js';
import { waitForCreate, waitForUpdate } from './converge.js';
import { SERVICE_DEPLOYMENT_LABEL, SERVICE_SETTINGS_LABEL, serviceSpec } from './service-spec.js';

/**
 * A Swarm service on the manager the endpoint names: Swarm places the tasks on its nodes, updates
 * them start-first one at a time and rolls a failed update back by itself; Butler pushes the image
 * (nodes pull it by digest), drives the update, waits until it converges and keeps the history.
 */
export function swarmTarget(
  endpoint: EngineEndpoint,
  { env, registry, command }: { env: NodeJS.ProcessEnv; registry?: string | undefined; command: string },
): DeployTarget {
  const auth = (reference: string) => registryAuthFor(reference, env);
  return {
    kind: 'swarm',
    engine: endpointAddress(endpoint),
    async prepare() {
      await requireManager(endpoint, command);
      if (registry !== undefined && registry === DEFAULT_REGISTRY) {
        throw new ButlerError(
          'CONFIG_INVALID',
          `a Swarm deploy needs a registry: its nodes pull the image, and "${DEFAULT_REGISTRY}" is this engine's local name`,
          {
            hint: 'set --registry HOST[:PORT]/NAMESPACE (or BUTLER_REGISTRY) to a registry every node can reach',
          },
        );
      }
    },
    async goLive(release, { settings, appEnv, log, force, graceSeconds }) {
      await requireManager(endpoint, command);
      const registryAuth = await auth(release.reference);
      const digest = await ensurePublished(endpoint, release.reference, registryAuth, (line) =>
        log.info(line),
      );
      const spec = serviceSpec(
        release.name,
        {
          release,
          image: `${release.reference}@${digest}`,
          contentHash: await contentHash(endpoint, release),
          env: appEnv,
          graceSeconds: graceSeconds ?? 10,
        },
        settings,
      );
      const timeoutMs = settings.healthTimeoutMs ?? 60_000;
      const current = await ownService(endpoint, release.name);
      if (!current) {
        log.info(
          `🐝 Creating Swarm service ${release.name} (${spec.Mode.Replicated.Replicas} × ${spec.TaskTemplate.ContainerSpec.Image})`,
        );
        const id = await createService(endpoint, spec, registryAuth);
        await waitForCreate(endpoint, {
          id,
          name: release.name,
          replicas: spec.Mode.Replicated.Replicas,
          timeoutMs,
          log,
        });
        return { outcome: 'deployed', placed: { target: 'swarm', id, name: release.name } };
      }
      const was = current.spec;
      const same =
        was.TaskTemplate.ContainerSpec.Image === spec.TaskTemplate.ContainerSpec.Image &&
        was.Labels[SERVICE_SETTINGS_LABEL] === spec.Labels[SERVICE_SETTINGS_LABEL];
      const placed = { target: 'swarm' as const, id: current.id, name: release.name };
      if (same && !force) {
        log.info(`✔ ${release.name} already runs this image; kept (use --force to update it)`);
        return { outcome: 'unchanged', placed };
      }
      // --force on an unchanged spec: Swarm replaces the tasks only when ForceUpdate changes.
      const forced = same
        ? {
            ...spec,
            TaskTemplate: {
              ...spec.TaskTemplate,
              ForceUpdate: (Number(was.TaskTemplate.ForceUpdate) || 0) + 1,
            },
          }
        : spec;
      log.info(
        `🐝 Updating Swarm service ${release.name}: one task at a time, ${spec.UpdateConfig?.Order}, rolled back by Swarm if a new task fails`,
      );
      await updateService(endpoint, current, forced, registryAuth);
      await waitForUpdate(endpoint, {
        id: current.id,
        name: release.name,
        image: spec.TaskTemplate.ContainerSpec.Image,
        replicas: spec.Mode.Replicated.Replicas,
        startedAfter: current.updateStartedAt,
        timeoutMs,
        log,
      });
      const image = was.TaskTemplate.ContainerSpec.Image;
      const previous = await inspectImage(endpoint, image).catch(() => undefined);
      return { outcome: 'deployed', placed, replaced: { id: current.id, image: previous?.Id ?? image } };
    },
    async canPlace(release) {
      if ((await inspectImage(endpoint, release.imageId)) !== undefined) return true;
      return (await inspectRemote(endpoint, release.reference, await auth(release.reference))) !== NOT_FOUND;
    },
    async running(name): Promise<RunningState> {
      const service = await ownService(endpoint, name);
      if (!service) return { status: 'missing' };
      const tasks = await serviceTasks(endpoint, service.id);
      const up = tasks.some((task) => task.desiredState === 'running' && task.state === 'running');
      const image = service.spec.TaskTemplate.ContainerSpec.Image;
      const local = await inspectImage(endpoint, image).catch(() => undefined);
      return { status: up ? 'running' : 'exited', ...(local ? { imageId: local.Id } : {}) };
    },
    async remove(name): Promise<RemovedDeployment> {
      const service = await ownService(endpoint, name);
      if (!service) return { containers: 0, keptVolumes: [] };
      await removeService(endpoint, service.id);
      // Named volumes are the user's: they stay on every node that made them.
      const named = (service.spec.TaskTemplate.ContainerSpec.Mounts ?? [])
        .filter((m) => m.Type === 'volume')
        .map((m) => m.Source);
      return { containers: 1, keptVolumes: named };
    },
    async imagesInUse() {
      const ids = new Set<string>();
      for (const service of await listServices(endpoint)) {
        if (service.spec.Labels?.[SERVICE_DEPLOYMENT_LABEL] === undefined) continue;
        for (const spec of [service.spec, service.previousSpec]) {
          const image = spec?.TaskTemplate.ContainerSpec.Image;
          const found = image ? await inspectImage(endpoint, image).catch(() => undefined) : undefined;
          if (found) ids.add(found.Id);
        }
      }
      return ids;
    },
  };
}

/** The engine must be a swarm manager: one line naming the fix otherwise. */
async function requireManager(endpoint: EngineEndpoint, command: string): Promise<void> {
  const swarm = await swarmMembership(endpoint);
  if (swarm.state === 'active' && swarm.manager) return;
  throw new ButlerError(
    'DEPLOY_FAILED',
    swarm.state === 'active'
      ? `butler ${command} --swarm needs a swarm manager, and ${endpointAddress(endpoint)} is a worker`
      : `butler ${command} --swarm needs a swarm manager, and ${endpointAddress(endpoint)} is not in a swarm`,
    {
      hint:
        swarm.state === 'active'
          ? 'point DOCKER_HOST (or --host, --context) at a manager node'
          : 'run docker swarm init there (or point DOCKER_HOST at a manager), or deploy without --swarm',
    },
  );
}

/** The service by that name when Butler deployed it; a stranger's service is an error. */
async function ownService(endpoint: EngineEndpoint, name: string): Promise<ServiceState | undefined> {
  const found = await inspectService(endpoint, name);
  if (!found) return undefined;
  if (found.spec.Labels?.[SERVICE_DEPLOYMENT_LABEL] !== name) {
    throw new ButlerError(
      'DEPLOY_FAILED',
      `a Swarm service named "${name}" exists and Butler did not deploy it as ${name}`,
      { hint: 'remove or rename it, or deploy with another --name' },
    );
  }
  return found;
}

/** The image's full content hash (its label), else the 12 hex digits of its tag. */
async function contentHash(endpoint: EngineEndpoint, release: Release): Promise<string> {
  const image = await inspectImage(endpoint, release.imageId).catch(() => undefined);
  return (
    image?.Config?.Labels?.[LABELS.contentHash] ??
    release.reference.slice(release.reference.lastIndexOf(':') + 1)
  );
}
