import { ButlerError } from '@devops-butler/core';
import { type EngineEndpoint, engineError, engineExchange, engineRequest } from './engine-api.js';
import { demultiplex } from './engine-containers.js';

const path = encodeURIComponent;

/** Whether the engine is in a swarm, and whether it manages it (only a manager takes services). */
export interface SwarmMembership {
  /** `active`, `inactive`, `pending`, `error`, `locked` (Swarm.LocalNodeState). */
  state: string;
  manager: boolean;
  nodeId: string | undefined;
}

export async function swarmMembership(endpoint: EngineEndpoint): Promise<SwarmMembership> {
  const { status, body } = await engineRequest(endpoint, 'GET', '/info');
  if (status !== 200) throw engineError(status, body);
  const swarm = (body as { Swarm?: { LocalNodeState?: string; ControlAvailable?: boolean; NodeID?: string } })
    .Swarm;
  return {
    state: swarm?.LocalNodeState || 'inactive',
    manager: swarm?.ControlAvailable === true,
    nodeId: swarm?.NodeID || undefined,
  };
}

/** A service's spec as the Engine API takes it (the parts Butler sets are typed; the rest passes through). */
export interface ServiceSpec {
  Name: string;
  Labels: Record<string, string>;
  TaskTemplate: {
    ContainerSpec: {
      Image: string;
      Env?: string[];
      Labels?: Record<string, string>;
      Mounts?: { Type: string; Source: string; Target: string; ReadOnly: boolean }[];
      Healthcheck?: {
        Test: string[];
        Interval?: number;
        Timeout?: number;
        Retries?: number;
        StartPeriod?: number;
      };
      StopGracePeriod?: number;
      [key: string]: unknown;
    };
    RestartPolicy?: { Condition: 'none' | 'on-failure' | 'any'; Delay?: number; MaxAttempts?: number };
    Networks?: { Target: string }[];
    ForceUpdate?: number;
    [key: string]: unknown;
  };
  Mode: { Replicated: { Replicas: number } };
  UpdateConfig?: ServiceUpdateConfig;
  RollbackConfig?: ServiceUpdateConfig;
  EndpointSpec?: {
    Ports?: {
      Protocol: 'tcp' | 'udp';
      TargetPort: number;
      PublishedPort: number;
      PublishMode: 'ingress' | 'host';
    }[];
  };
  [key: string]: unknown;
}

/** How Swarm rolls a change out (durations in nanoseconds, as the API has them). */
export interface ServiceUpdateConfig {
  Parallelism: number;
  Delay?: number;
  FailureAction: 'continue' | 'pause' | 'rollback';
  Monitor: number;
  MaxFailureRatio: number;
  Order: 'stop-first' | 'start-first';
}

/** A service as the manager knows it. */
export interface ServiceState {
  id: string;
  /** The object version an update must name (optimistic concurrency). */
  version: number;
  spec: ServiceSpec;
  /** The spec before the last update: what Swarm rolls back to. */
  previousSpec: ServiceSpec | undefined;
  /** `updating`, `paused`, `completed`, `rollback_started`, `rollback_paused`, `rollback_completed`; undefined before any update. */
  updateState: string | undefined;
  updateMessage: string | undefined;
  /** When the last update started (ISO): a new update is told from the last one by it. */
  updateStartedAt: string | undefined;
}

export async function inspectService(
  endpoint: EngineEndpoint,
  idOrName: string,
): Promise<ServiceState | undefined> {
  const { status, body } = await engineRequest(
    endpoint,
    'GET',
    `/services/${path(idOrName)}?insertDefaults=false`,
  );
  if (status === 404) return undefined;
  if (status !== 200) throw engineError(status, body);
  const service = serviceState(body as EngineService);
  // `GET /services/{name}` also matches an ID prefix: only the exact name or ID is this service.
  return service.spec.Name === idOrName || service.id === idOrName ? service : undefined;
}

/** A service as the Engine API answers it. */
interface EngineService {
  ID: string;
  Version: { Index: number };
  Spec: ServiceSpec;
  PreviousSpec?: ServiceSpec;
  UpdateStatus?: { State?: string; Message?: string; StartedAt?: string };
}

function serviceState(service: EngineService): ServiceState {
  return {
    id: service.ID,
    version: service.Version.Index,
    spec: service.Spec,
    previousSpec: service.PreviousSpec,
    updateState: service.UpdateStatus?.State || undefined,
    updateMessage: service.UpdateStatus?.Message || undefined,
    updateStartedAt: service.UpdateStatus?.StartedAt || undefined,
  };
}

/** Every service's current and previous spec (empty when the engine is not a swarm manager). */
export async function listServices(endpoint: EngineEndpoint): Promise<ServiceState[]> {
  const { status, body } = await engineRequest(endpoint, 'GET', '/services');
  // 503: not a swarm manager (or no swarm at all); 404/501: an engine without Swarm (Podman):
  // no services to know of.
  if ([404, 406, 501, 503].includes(status)) return [];
  if (status !== 200) throw engineError(status, body);
  return (body as EngineService[]).map(serviceState);
}

/**
 * Manifest digest → the services whose spec (current, or previous: the rollback target) names an
 * image by that digest. A registry's retention keeps those: nodes pull them by digest.
 */
export async function serviceImageDigests(endpoint: EngineEndpoint): Promise<Map<string, string[]>> {
  const users = new Map<string, string[]>();
  for (const service of await listServices(endpoint)) {
    const specs = [
      [service.spec, `service ${service.spec.Name}`],
      [service.previousSpec, `service ${service.spec.Name} (previous)`],
    ] as const;
    for (const [spec, user] of specs) {
      const digest = /@(sha256:[0-9a-f]{64})$/.exec(spec?.TaskTemplate.ContainerSpec.Image ?? '')?.[1];
      if (digest) users.set(digest, [...(users.get(digest) ?? []), user]);
    }
  }
  return users;
}

/** Creates a service; `registryAuth` (X-Registry-Auth) lets every node pull a private image. */
export async function createService(
  endpoint: EngineEndpoint,
  spec: ServiceSpec,
  registryAuth?: string,
): Promise<string> {
  const created = await engineRequest(endpoint, 'POST', '/services/create', spec, authHeader(registryAuth));
  if (created.status === 409) {
    throw new ButlerError('DEPLOY_FAILED', `a service named "${spec.Name}" already exists`, {
      hint: `remove it (docker service rm ${spec.Name}) or deploy with another --name`,
    });
  }
  if (created.status !== 201) throw engineError(created.status, created.body);
  return (created.body as { ID: string }).ID;
}

/** Updates a service to `spec`; `version` is the one it was read at (a newer one is a conflict). */
export async function updateService(
  endpoint: EngineEndpoint,
  service: Pick<ServiceState, 'id' | 'version'>,
  spec: ServiceSpec,
  registryAuth?: string,
): Promise<void> {
  const updated = await engineRequest(
    endpoint,
    'POST',
    `/services/${path(service.id)}/update?version=${service.version}`,
    spec,
    authHeader(registryAuth),
  );
  if (updated.status !== 200) throw engineError(updated.status, updated.body);
}

/** Removes a service (its tasks stop); gone already is fine. */
export async function removeService(endpoint: EngineEndpoint, id: string): Promise<void> {
  const removed = await engineRequest(endpoint, 'DELETE', `/services/${path(id)}`);
  if (removed.status !== 200 && removed.status !== 404) throw engineError(removed.status, removed.body);
}

/** One task of a service: a replica's slot at one moment, on one node. */
export interface ServiceTask {
  id: string;
  slot: number | undefined;
  nodeId: string | undefined;
  image: string;
  /** `new` … `starting`, `running`, `complete`, `failed`, `shutdown`, `rejected`, `orphaned`, `remove`. */
  state: string;
  desiredState: string;
  message: string;
  error: string | undefined;
  exitCode: number | undefined;
  containerId: string | undefined;
  /** ISO time of its last state change. */
  updatedAt: string;
}

export async function serviceTasks(endpoint: EngineEndpoint, serviceId: string): Promise<ServiceTask[]> {
  const filters = path(JSON.stringify({ service: [serviceId] }));
  const { status, body } = await engineRequest(endpoint, 'GET', `/tasks?filters=${filters}`);
  if (status !== 200) throw engineError(status, body);
  return (
    body as {
      ID: string;
      Slot?: number;
      NodeID?: string;
      UpdatedAt: string;
      DesiredState: string;
      Spec: { ContainerSpec?: { Image?: string } };
      Status: {
        State: string;
        Message?: string;
        Err?: string;
        ContainerStatus?: { ContainerID?: string; ExitCode?: number };
      };
    }[]
  ).map((task) => ({
    id: task.ID,
    slot: task.Slot,
    nodeId: task.NodeID || undefined,
    image: task.Spec.ContainerSpec?.Image ?? '',
    state: task.Status.State,
    desiredState: task.DesiredState,
    message: task.Status.Message ?? '',
    error: task.Status.Err || undefined,
    exitCode: task.Status.ContainerStatus?.ExitCode,
    containerId: task.Status.ContainerStatus?.ContainerID || undefined,
    updatedAt: task.UpdatedAt,
  }));
}

/** The last lines a task wrote (stdout and stderr), from whichever node ran it. */
export async function taskLogTail(endpoint: EngineEndpoint, taskId: string, lines = 20): Promise<string[]> {
  const raw = await engineExchange(
    endpoint,
    'GET',
    `/tasks/${path(taskId)}/logs?stdout=1&stderr=1&tail=${lines}`,
  )
    .then((answer) => (answer.status === 200 ? answer.body : Buffer.alloc(0)))
    .catch(() => Buffer.alloc(0));
  return demultiplex(raw).split('\n').filter(Boolean).slice(-lines);
}

function authHeader(registryAuth: string | undefined): Record<string, string> {
  return registryAuth ? { 'X-Registry-Auth': registryAuth } : {};
}
