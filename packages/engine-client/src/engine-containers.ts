import { ButlerError, LABELS } from '@devops-butler/core';
import { type EngineEndpoint, engineError, engineExchange, engineRequest } from './engine-api.js';

/** What a deployment container is made of. */
export interface ContainerSpec {
  name: string;
  image: string;
  network: string;
  env: Record<string, string>;
  /** Published on `hostIp` (127.0.0.1 unless asked otherwise); host 0 takes a free port. */
  ports: { hostIp: string; host: number; container: number }[];
  cmd?: string[] | undefined;
  /** Restart policy `unless-stopped` (default); false for a candidate under its health check. */
  restart?: boolean | undefined;
  labels: Record<string, string>;
  /** Named volumes and bind mounts (`-v`), and a predecessor's anonymous volumes taken over. */
  mounts?: Mount[] | undefined;
}

/** A volume (by name; an anonymous one's name is 64 hex digits) or a host folder, mounted at `target`. */
export interface Mount {
  type: 'volume' | 'bind';
  /** The volume's name, or the absolute host path. */
  source: string;
  target: string;
  readOnly: boolean;
}

/** A volume the engine named itself (an image's VOLUME line, no `-v`): its name is 64 hex digits. */
export function isAnonymousVolume(mount: Mount): boolean {
  return mount.type === 'volume' && /^[0-9a-f]{64}$/.test(mount.source);
}

export interface ContainerState {
  id: string;
  name: string;
  image: string;
  running: boolean;
  exitCode: number;
  /** How often the restart policy restarted it: a new container that restarts is failing. */
  restarts: number;
  /** `healthy`, `unhealthy`, `starting`; undefined when the image has no HEALTHCHECK. */
  health: string | undefined;
  labels: Record<string, string>;
  /** Container port → the host port it is published on (the first binding). */
  published: Record<number, number>;
  /** Its volumes (anonymous ones from the image's VOLUME lines included) and bind mounts. */
  mounts: Mount[];
}

const path = encodeURIComponent;

/** Creates the bridge network when missing; a network of that name that is not a bridge is a clash. */
export async function ensureNetwork(endpoint: EngineEndpoint, name: string): Promise<void> {
  const found = await engineRequest(endpoint, 'GET', `/networks/${path(name)}`);
  if (found.status === 200) {
    const driver = (found.body as { Driver?: string }).Driver;
    if (driver !== 'bridge') {
      throw new ButlerError(
        'DEPLOY_FAILED',
        `network "${name}" exists with driver "${driver}", not a bridge`,
        {
          hint: 'pick another name with --network, or remove that network',
        },
      );
    }
    return;
  }
  if (found.status !== 404) throw engineError(found.status, found.body);
  const created = await engineRequest(endpoint, 'POST', '/networks/create', {
    Name: name,
    Driver: 'bridge',
    CheckDuplicate: true,
    Labels: { [LABELS.managed]: 'true' },
  });
  // 409: another deploy created it a moment ago.
  if (created.status !== 201 && created.status !== 409) throw engineError(created.status, created.body);
}

/** Creates (does not start) a container; resolves with its ID. */
export async function createContainer(endpoint: EngineEndpoint, spec: ContainerSpec): Promise<string> {
  const exposed: Record<string, object> = {};
  const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
  for (const port of spec.ports) {
    exposed[`${port.container}/tcp`] = {};
    bindings[`${port.container}/tcp`] = [
      { HostIp: port.hostIp, HostPort: port.host === 0 ? '' : String(port.host) },
    ];
  }
  const created = await engineRequest(endpoint, 'POST', `/containers/create?name=${path(spec.name)}`, {
    Image: spec.image,
    Env: Object.entries(spec.env).map(([key, value]) => `${key}=${value}`),
    Labels: spec.labels,
    ...(spec.cmd ? { Cmd: spec.cmd } : {}),
    ExposedPorts: exposed,
    HostConfig: {
      PortBindings: bindings,
      RestartPolicy: { Name: spec.restart === false ? 'no' : 'unless-stopped' },
      NetworkMode: spec.network,
      ...(spec.mounts?.length
        ? {
            Mounts: spec.mounts.map((m) => ({
              Type: m.type,
              Source: m.source,
              Target: m.target,
              ReadOnly: m.readOnly,
            })),
          }
        : {}),
    },
  });
  if (created.status === 409) {
    throw new ButlerError('DEPLOY_FAILED', `a container named "${spec.name}" already exists`, {
      hint: `remove it (docker rm ${spec.name}) or deploy with another --name`,
    });
  }
  if (created.status !== 201) throw engineError(created.status, created.body);
  return (created.body as { Id: string }).Id;
}

/** Starts a container; a host port someone else holds is one clear error. */
export async function startContainer(
  endpoint: EngineEndpoint,
  id: string,
  ports: ContainerSpec['ports'],
): Promise<void> {
  const started = await engineRequest(endpoint, 'POST', `/containers/${path(id)}/start`);
  if (started.status === 204 || started.status === 304) return;
  const message = String((started.body as { message?: string })?.message ?? started.body);
  if (/port is already allocated|address already in use/i.test(message)) {
    const taken = ports.map((p) => `${p.hostIp}:${p.host}`).join(', ');
    throw new ButlerError('DEPLOY_FAILED', `port ${taken} is already in use`, {
      hint: 'stop what listens there, or publish another host port with --port',
    });
  }
  throw engineError(started.status, started.body);
}

/** The container's state, or undefined when there is none by that name or ID. */
export async function inspectContainer(
  endpoint: EngineEndpoint,
  idOrName: string,
): Promise<ContainerState | undefined> {
  const found = await engineRequest(endpoint, 'GET', `/containers/${path(idOrName)}/json`);
  if (found.status === 404) return undefined;
  if (found.status !== 200) throw engineError(found.status, found.body);
  const c = found.body as {
    Id: string;
    Name: string;
    Image: string;
    RestartCount: number;
    State: { Running: boolean; ExitCode: number; Health?: { Status: string } };
    Config: { Labels: Record<string, string> | null };
    NetworkSettings?: { Ports?: Record<string, { HostPort: string }[] | null> | null };
    Mounts?: { Type: string; Name?: string; Source?: string; Destination: string; RW?: boolean }[] | null;
  };
  const published: Record<number, number> = {};
  for (const [port, bindings] of Object.entries(c.NetworkSettings?.Ports ?? {})) {
    const host = Number(bindings?.[0]?.HostPort);
    if (host > 0) published[Number.parseInt(port, 10)] = host;
  }
  return {
    id: c.Id,
    name: c.Name.replace(/^\//, ''),
    image: c.Image,
    running: c.State.Running,
    exitCode: c.State.ExitCode,
    restarts: c.RestartCount ?? 0,
    health: c.State.Health?.Status,
    labels: c.Config.Labels ?? {},
    published,
    mounts: (c.Mounts ?? []).flatMap((m): Mount[] => {
      const source = m.Type === 'volume' ? m.Name : m.Type === 'bind' ? m.Source : undefined;
      if (!source) return [];
      return [{ type: m.Type as Mount['type'], source, target: m.Destination, readOnly: m.RW === false }];
    }),
  };
}

/** Stops a container with a grace period for in-flight requests; stopped or gone already is fine. */
export async function stopContainer(endpoint: EngineEndpoint, id: string, graceSeconds = 10): Promise<void> {
  const stopped = await engineRequest(endpoint, 'POST', `/containers/${path(id)}/stop?t=${graceSeconds}`);
  if (![204, 304, 404].includes(stopped.status)) throw engineError(stopped.status, stopped.body);
}

/**
 * Stops and removes a container; gone already is fine. Its volumes stay (they hold what the app
 * kept: a database, uploads) unless `removeVolumes` says otherwise.
 */
export async function removeContainer(
  endpoint: EngineEndpoint,
  id: string,
  graceSeconds = 10,
  removeVolumes = false,
): Promise<void> {
  await stopContainer(endpoint, id, graceSeconds);
  const removed = await engineRequest(
    endpoint,
    'DELETE',
    `/containers/${path(id)}?v=${removeVolumes ? 1 : 0}`,
  );
  if (![204, 404].includes(removed.status)) throw engineError(removed.status, removed.body);
}

/** Containers carrying a label (`key=value`), running or not. */
export async function containersLabelled(endpoint: EngineEndpoint, label: string): Promise<ContainerState[]> {
  const filters = encodeURIComponent(JSON.stringify({ label: [label] }));
  const listed = await engineRequest(endpoint, 'GET', `/containers/json?all=1&filters=${filters}`);
  if (listed.status !== 200) throw engineError(listed.status, listed.body);
  const states = await Promise.all(
    (listed.body as { Id: string }[]).map((c) => inspectContainer(endpoint, c.Id)),
  );
  return states.filter((state): state is ContainerState => state !== undefined);
}

/** Turns the restart policy on once a candidate proved healthy (it ran without one until then). */
export async function enableRestarts(endpoint: EngineEndpoint, id: string): Promise<void> {
  const updated = await engineRequest(endpoint, 'POST', `/containers/${path(id)}/update`, {
    RestartPolicy: { Name: 'unless-stopped' },
  });
  if (updated.status !== 200) throw engineError(updated.status, updated.body);
}

export async function renameContainer(endpoint: EngineEndpoint, id: string, name: string): Promise<void> {
  const renamed = await engineRequest(endpoint, 'POST', `/containers/${path(id)}/rename?name=${path(name)}`);
  if (renamed.status !== 204) throw engineError(renamed.status, renamed.body);
}

/** Sends a signal to a container's main process (`SIGUSR2`); a container not running is an error. */
export async function signalContainer(endpoint: EngineEndpoint, id: string, signal: string): Promise<void> {
  const sent = await engineRequest(endpoint, 'POST', `/containers/${path(id)}/kill?signal=${signal}`);
  if (sent.status !== 204) throw engineError(sent.status, sent.body);
}

/** What a container wrote to stdout since `sinceSeconds` (Unix time, fractions allowed), as lines. */
export async function logLinesSince(
  endpoint: EngineEndpoint,
  id: string,
  sinceSeconds: number,
): Promise<string[]> {
  const raw = await engineExchange(
    endpoint,
    'GET',
    `/containers/${path(id)}/logs?stdout=1&since=${sinceSeconds.toFixed(3)}`,
  )
    .then((answer) => answer.body)
    .catch(() => Buffer.alloc(0));
  return demultiplex(raw).split('\n').filter(Boolean);
}

/** The last lines a container wrote (stdout and stderr), for a failed deploy's message. */
export async function logTail(endpoint: EngineEndpoint, id: string, lines = 20): Promise<string[]> {
  const raw = await engineExchange(
    endpoint,
    'GET',
    `/containers/${path(id)}/logs?stdout=1&stderr=1&tail=${lines}`,
  )
    .then((answer) => answer.body)
    .catch(() => Buffer.alloc(0));
  return demultiplex(raw).split('\n').filter(Boolean).slice(-lines);
}

/** Without a TTY the engine frames each chunk with an 8-byte header (stream, 0, 0, 0, size); keep the payloads. */
export function demultiplex(bytes: Buffer): string {
  const framed =
    bytes.length >= 8 && (bytes[0] ?? 9) <= 2 && bytes[1] === 0 && bytes[2] === 0 && bytes[3] === 0;
  if (!framed) return bytes.toString('utf8');
  const parts: Buffer[] = [];
  for (let offset = 0; offset + 8 <= bytes.length; ) {
    const size = bytes.readUInt32BE(offset + 4);
    parts.push(bytes.subarray(offset + 8, offset + 8 + size));
    offset += 8 + size;
  }
  return Buffer.concat(parts).toString('utf8');
}

/**
 * Runs a command in a running container and waits for it (`docker exec`): its exit code and what
 * it wrote. Used to look at an app from the engine's side, where this machine cannot reach it.
 */
export async function execInContainer(
  endpoint: EngineEndpoint,
  id: string,
  cmd: string[],
): Promise<{ exitCode: number; output: string }> {
  const created = await engineRequest(endpoint, 'POST', `/containers/${path(id)}/exec`, {
    AttachStdout: true,
    AttachStderr: true,
    Cmd: cmd,
  });
  if (created.status !== 201) throw engineError(created.status, created.body);
  const execId = (created.body as { Id: string }).Id;
  const payload = Buffer.from(JSON.stringify({ Detach: false, Tty: false }));
  // Without an Upgrade header the engine answers 200 and streams the output until the command ends.
  const started = await engineExchange(endpoint, 'POST', `/exec/${path(execId)}/start`, {
    headers: { 'content-type': 'application/json', 'content-length': payload.length },
    payload,
  });
  if (started.status !== 200) throw engineError(started.status, started.body.toString('utf8'));
  const inspected = await engineRequest(endpoint, 'GET', `/exec/${path(execId)}/json`);
  if (inspected.status !== 200) throw engineError(inspected.status, inspected.body);
  return {
    exitCode: (inspected.body as { ExitCode: number | null }).ExitCode ?? -1,
    output: demultiplex(started.body),
  };
}
