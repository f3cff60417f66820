import type * as Http from 'node:http';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type EngineEndpoint,
  execInContainer,
  inspectContainer,
  type LocalEngineEndpoint,
} from '@devops-butler/engine-client';

// A CommonJS builtin, not an ES import (see shared/builtins.ts): the facade would load undici.
const { get: httpGet } = process.getBuiltinModule('node:http') as typeof Http;

export interface HealthOptions {
  /** With no HEALTHCHECK: how long the container must stay up (default 2 s). */
  settleMs?: number;
  /** Give up after this long (default 60 s). */
  timeoutMs?: number;
  /** With no HEALTHCHECK: how the app's port is asked (it must accept a connection). */
  probe?: AppProbe | undefined;
  /** An HTTP path (`/up`) that must answer 2xx or 3xx through `probe`, polled about once a second. */
  path?: string | undefined;
  /** A shell command run in the container that must exit 0 (a Swarm service's health check). */
  cmd?: string | undefined;
  /**
   * How often to look (default 200 ms; the health path once a second). A volume handover, where
   * the service pauses until the new container is ready, asks every 25 ms.
   */
  intervalMs?: number | undefined;
}

/**
 * How long a probe connection must stay open to count as accepted by the app: the engine's port
 * proxy accepts first and closes within a few milliseconds when nothing listens behind it.
 */
const STAYS_OPEN_MS = 100;

/** How a candidate's port is asked: from this machine, or from the engine's side. */
export interface AppProbe {
  /** Whether the app accepts a connection. */
  accepts(): Promise<boolean>;
  /** The status of `GET path`, or why there was none. */
  httpStatus(path: string): Promise<number | string>;
}

/** Through the port the candidate publishes on 127.0.0.1: only this machine's engine's ports are here. */
export function localProbe(_endpoint: LocalEngineEndpoint, port: number): AppProbe {
  return { accepts: () => accepts(port), httpStatus: (path) => httpStatus(port, path) };
}

/**
 * From the engine's side, for an engine on another machine: `docker exec` in the deployment's front
 * (on the same network) connects to the candidate by its name (proxy.mjs --probe).
 */
export function frontProbe(endpoint: EngineEndpoint, front: string, host: string, port: number): AppProbe {
  const probe = async (...path: string[]) => {
    const { exitCode, output } = await execInContainer(endpoint, front, [
      '/node',
      '/proxy.mjs',
      '--probe',
      host,
      String(port),
      ...path,
    ]).catch((error: Error) => ({ exitCode: -1, output: error.message }));
    return { ok: exitCode === 0, said: output.trim() };
  };
  return {
    accepts: async () => (await probe()).ok,
    httpStatus: async (path) => {
      const { said } = await probe(path);
      return /^\d+$/.test(said) ? Number(said) : said;
    },
  };
}

export type HealthResult = { healthy: true } | { healthy: false; reason: string };

/**
 * Waits until a new container is fit to take over: its HEALTHCHECK says healthy when the image
 * has one; otherwise it keeps running for the settle period and, when a port is published, accepts
 * a connection on it. A container that exits, turns unhealthy or times out is not.
 */
export async function waitHealthy(
  endpoint: EngineEndpoint,
  id: string,
  options: HealthOptions = {},
): Promise<HealthResult> {
  const settleMs = options.settleMs ?? 2000;
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  const started = Date.now();
  let lastAnswer = '';
  let nextProbe = 0;
  const interval = options.intervalMs ?? 200;
  while (Date.now() < deadline) {
    const state = await inspectContainer(endpoint, id);
    if (!state) return { healthy: false, reason: 'the container disappeared' };
    if (!state.running) return { healthy: false, reason: `the container exited with code ${state.exitCode}` };
    // With a restart policy the exit code is reset by the restart: say what is known.
    if (state.restarts > 0) {
      return { healthy: false, reason: `the container exited and was restarted ${state.restarts} time(s)` };
    }
    if (state.health === 'unhealthy') return { healthy: false, reason: 'its HEALTHCHECK reports unhealthy' };
    const settled =
      state.health === 'healthy' || (state.health === undefined && Date.now() - started >= settleMs);
    if (settled && options.path !== undefined && options.probe !== undefined) {
      // Beside the HEALTHCHECK or the TCP check: the app's own health path must say so.
      if (Date.now() >= nextProbe) {
        const answer = await options.probe.httpStatus(options.path);
        if (typeof answer === 'number' && answer >= 200 && answer < 400) return { healthy: true };
        lastAnswer =
          typeof answer === 'number'
            ? `GET ${options.path} answered ${answer}`
            : `GET ${options.path}: ${answer}`;
        nextProbe = Date.now() + Math.min(1000, interval * 4);
      }
    } else if (state.health === 'healthy') return { healthy: true };
    else if (settled && (options.probe === undefined || (await options.probe.accepts())))
      return { healthy: true };
    await sleep(interval);
  }
  return {
    healthy: false,
    reason: `not healthy within ${Math.round((options.timeoutMs ?? 60_000) / 1000)} s${lastAnswer ? ` (last: ${lastAnswer})` : ''}`,
  };
}

/** The status of `GET path` on 127.0.0.1:port, or why there was none. */
function httpStatus(port: number, path: string): Promise<number | string> {
  return new Promise((resolve) => {
    const req = httpGet({ host: '127.0.0.1', port, path, agent: false, timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy(new Error('no answer within 2 s')));
    req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

/**
 * True when something behind 127.0.0.1:port accepts a connection. The engine's port proxy accepts
 * every connection itself and closes it at once when the app does not listen, so "connected" is
 * not enough: the connection must also stay open for a moment.
 */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, timeout: 1000 });
    let timer: NodeJS.Timeout | undefined;
    const done = (ok: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => {
      socket.setTimeout(0);
      timer = setTimeout(() => done(true), STAYS_OPEN_MS);
    });
    socket.once('end', () => done(false));
    socket.once('close', () => done(false));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}
