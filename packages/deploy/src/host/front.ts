import { execFile } from 'node:child_process';
import { readFileSync, realpathSync } from 'node:fs';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { ButlerError, createSha256, LABELS, type TarSource, tarMembers } from '@devops-butler/core';
import {
  type ContainerSpec,
  createContainer,
  type EngineEndpoint,
  endpointAddress,
  engineBuild,
  enginePlatform,
  followBuildResponse,
  inspectContainer,
  inspectImage,
  isLocalEndpoint,
  logLinesSince,
  logTail,
  removeContainer,
  signalContainer,
  startContainer,
} from '@devops-butler/engine-client';
import { promisify } from '../shared/builtins.js';
import { frontProbe, localProbe, waitHealthy } from './health.js';

const run = promisify(execFile);

/** The engine must run this machine's binaries: the front's `node` comes from here. */
async function assertSamePlatform(endpoint: EngineEndpoint): Promise<void> {
  const here = `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`;
  const there = await enginePlatform(endpoint);
  if (there === here) return;
  throw new ButlerError(
    'DEPLOY_FAILED',
    `the deploy front runs this machine's node (${here}), and ${endpointAddress(endpoint)} runs ${there}`,
    { hint: `deploy from a ${there} machine, or run butler deploy on that host` },
  );
}

/** The front's image: this machine's Node and the proxy script; its tag is the digest of both. */
export const FRONT_REPO = 'devops-butler/front';
// Resolved by the package's name, so the CLI's bundle (elsewhere on disk) finds it too.
const PROXY_PATH = fileURLToPath(import.meta.resolve('@devops-butler/deploy/front/proxy.mjs'));
/** Marks the front's image and containers (never a retention candidate: no `devops-butler.managed`). */
export const FRONT_LABEL = LABELS.front;

/**
 * Makes the front's image unless it exists: the running `node` binary, the libraries `ldd` lists
 * for it, and the proxy, on `scratch` (no registry is needed, nothing is pulled). The build context
 * carries them, so an engine on another machine gets them too — when it runs this machine's kind
 * of binaries (its OS and architecture), which is checked first.
 */
export async function ensureFrontImage(endpoint: EngineEndpoint): Promise<{ reference: string; id: string }> {
  const node = realpathSync(process.execPath);
  const script = readFileSync(PROXY_PATH);
  const reference = frontReference(process.version, process.arch, script);
  const existing = await imageId(endpoint, reference);
  if (existing) return { reference, id: existing };
  if (!isLocalEndpoint(endpoint)) await assertSamePlatform(endpoint);

  const members: TarSource[] = [
    {
      name: 'Dockerfile',
      content: Buffer.from('FROM scratch\nCOPY rootfs/ /\nENTRYPOINT ["/node", "/proxy.mjs"]\n'),
    },
    { name: 'rootfs/proxy.mjs', content: script },
    { path: node.slice(1), as: 'rootfs/node', follow: true },
    ...(await sharedLibraries(node)).map((lib) => ({ path: lib.slice(1), as: `rootfs${lib}`, follow: true })),
  ];
  const query = new URLSearchParams({ t: reference, rm: '1', forcerm: '1' });
  query.set('labels', JSON.stringify({ [FRONT_LABEL]: 'true' }));
  const response = await engineBuild(endpoint, query, Readable.from(tarMembers('/', members)));
  await followBuildResponse(response, () => undefined);
  const built = await imageId(endpoint, reference);
  if (!built) throw new ButlerError('DEPLOY_FAILED', `building the front image ${reference} failed`);
  return { reference, id: built };
}

/**
 * The front image's tag: the digest of what it runs — Node's version and architecture, and the
 * proxy script — not of where this machine's `node` lives. An image made from another installation
 * of the same version does the same work (it carries its own libraries), so each clone's or
 * toolchain's own path no longer adds a tag.
 */
export function frontReference(version: string, arch: string, script: Uint8Array): string {
  const inputs = createSha256().update(`${version}\0${arch}\0`).update(script).digest();
  return `${FRONT_REPO}:${inputs.slice(0, 12)}`;
}

async function imageId(endpoint: EngineEndpoint, reference: string): Promise<string | undefined> {
  return (await inspectImage(endpoint, reference))?.Id;
}

/** The libraries (and the loader) a dynamically linked binary needs; none for a static one. */
async function sharedLibraries(binary: string): Promise<string[]> {
  let stdout: string;
  try {
    ({ stdout } = await run('ldd', [binary]));
  } catch (error) {
    const text = String((error as { stdout?: string }).stdout ?? '');
    if (/not a dynamic executable/.test(text + String((error as { stderr?: string }).stderr))) return [];
    throw new ButlerError('DEPLOY_FAILED', `cannot list the libraries ${binary} needs (ldd failed)`, {
      hint: 'install libc-bin (ldd), which the front container is made with',
    });
  }
  const libraries = new Set<string>();
  for (const line of stdout.split('\n')) {
    // "libz.so.1 => /lib/x86_64-linux-gnu/libz.so.1 (0x…)" or "/lib64/ld-linux-x86-64.so.2 (0x…)"
    const path = /=>\s*(\/\S+)/.exec(line)?.[1] ?? /^\s*(\/\S+)\s+\(/.exec(line)?.[1];
    if (path) libraries.add(path);
  }
  return [...libraries];
}

/** What a front needs to know: whose name it forwards to, and which ports it owns. */
export interface FrontSpec {
  name: string;
  network: string;
  ports: ContainerSpec['ports'];
  labels: Record<string, string>;
  /** How long a new connection may wait for a container (a handover's pause) before a 503. */
  holdMs?: number | undefined;
}

/** A new connection waits this long for a container before the front answers 503 (`--hold`). */
export const DEFAULT_HOLD_MS = 15_000;

export function frontName(name: string): string {
  return `${name}-front`;
}

/**
 * Runs the deployment's front: kept when it already forwards the same ports on the same network
 * with the same image, else (re)created. Resolves with whether it was created now (a failed first deploy removes it).
 */
export async function ensureFront(endpoint: EngineEndpoint, spec: FrontSpec): Promise<boolean> {
  const image = await ensureFrontImage(endpoint);
  // What the front was made for, kept on its label: ports and network (a front on another network
  // could not resolve the app).
  const holdMs = spec.holdMs ?? DEFAULT_HOLD_MS;
  const purpose = `${spec.network} ${spec.ports.map((p) => `${p.hostIp}:${p.host}:${p.container}`).join(',')} hold=${holdMs}`;
  const existing = await inspectContainer(endpoint, frontName(spec.name));
  if (existing) {
    if (existing.running && existing.labels[FRONT_LABEL] === purpose && existing.image === image.id) {
      return false;
    }
    if (existing.labels[FRONT_LABEL] === undefined) {
      throw new ButlerError(
        'DEPLOY_FAILED',
        `a container named "${frontName(spec.name)}" exists and Butler did not make it`,
        { hint: 'remove or rename it, or deploy with another --name' },
      );
    }
    // Other ports or network (or a new Butler): the old front goes; connections pause until the new one listens.
    await removeContainer(endpoint, existing.id, 1);
  }
  const containerSpec: ContainerSpec = {
    name: frontName(spec.name),
    image: image.reference,
    network: spec.network,
    env: {
      BUTLER_TARGET: spec.name,
      BUTLER_PORTS: [...new Set(spec.ports.map((p) => p.container))].join(','),
      BUTLER_PATIENCE_MS: String(holdMs),
    },
    ports: spec.ports,
    labels: { ...spec.labels, [FRONT_LABEL]: purpose },
  };
  const id = await createContainer(endpoint, containerSpec);
  try {
    await startContainer(endpoint, id, spec.ports);
    // Started is not listening: the port proxy would reset connections until Node is up.
    const local = spec.ports.find((p) => p.hostIp === '127.0.0.1' || p.hostIp === '0.0.0.0');
    const first = spec.ports[0];
    const probe = isLocalEndpoint(endpoint)
      ? local && localProbe(endpoint, local.host)
      : first && frontProbe(endpoint, id, '127.0.0.1', first.container);
    const up = await waitHealthy(endpoint, id, { settleMs: 0, probe, timeoutMs: 15_000 });
    if (!up.healthy) {
      const logs = await logTail(endpoint, id, 5);
      throw new ButlerError(
        'DEPLOY_FAILED',
        `the front ${frontName(spec.name)} did not start: ${up.reason}${logs.length ? ` (${logs.join(' / ')})` : ''}`,
      );
    }
  } catch (error) {
    await removeContainer(endpoint, id, 0);
    throw error;
  }
  return true;
}

/** A handover pause in progress: `release` lets the front forward what it held. */
export interface FrontHold {
  release(): Promise<void>;
}

/**
 * Starts a handover pause: the front holds new connections instead of sending them to the
 * container about to stop, and this resolves once the connections it already forwarded have
 * closed (or after `drainBoundMs`, for clients that keep theirs open). The hold is renewed every
 * second until released (the front ends an unrenewed one after 3 s: a killed Butler leaves no
 * lasting hold). Undefined when the front is not running (nothing to hold).
 */
export async function holdFront(
  endpoint: EngineEndpoint,
  name: string,
  drainBoundMs: number,
): Promise<FrontHold | undefined> {
  const front = await inspectContainer(endpoint, frontName(name));
  if (!front?.running) return undefined;
  // The engine's log times are its clock's: ask from a moment before, and count only what the
  // front says after "holding" (an earlier hold's lines come before it).
  const since = Date.now() / 1000 - 1;
  await signalContainer(endpoint, front.id, 'SIGUSR2');
  const renewal = setInterval(() => {
    signalContainer(endpoint, front.id, 'SIGUSR2').catch(() => undefined);
  }, 1000);
  // Never what keeps a process alive: a deploy that fails on the way exits, and the front ends the
  // unrenewed hold by itself.
  renewal.unref();
  const deadline = Date.now() + drainBoundMs;
  while (Date.now() < deadline) {
    const lines = await logLinesSince(endpoint, front.id, since);
    const holding = lines.lastIndexOf('front: holding');
    if (holding >= 0 && lines.slice(holding).includes('front: drained')) break;
    await sleep(15);
  }
  return {
    release: async () => {
      clearInterval(renewal);
      await signalContainer(endpoint, front.id, 'SIGUSR1').catch(() => undefined);
    },
  };
}

/** Ends a hold an interrupted deploy may have left: the front forwards to whoever holds the name now. */
export async function releaseFront(endpoint: EngineEndpoint, name: string): Promise<void> {
  const front = await inspectContainer(endpoint, frontName(name));
  // Not running: nothing is held. A front that holds nothing ignores this.
  if (front?.running) await signalContainer(endpoint, front.id, 'SIGUSR1').catch(() => undefined);
}
