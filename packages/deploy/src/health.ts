import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { EngineEndpoint } from '@devops-butler/engine-client';
import { inspectContainer } from './containers.js';

export interface HealthOptions {
  /** With no HEALTHCHECK: how long the container must stay up (default 2 s). */
  settleMs?: number;
  /** Give up after this long (default 60 s). */
  timeoutMs?: number;
  /** With no HEALTHCHECK: a published 127.0.0.1 port that must accept a TCP connection. */
  port?: number | undefined;
}

/** How long a probe connection must stay open to count as accepted by the app. */
const STAYS_OPEN_MS = 300;

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
  while (Date.now() < deadline) {
    const state = await inspectContainer(endpoint, id);
    if (!state) return { healthy: false, reason: 'the container disappeared' };
    if (!state.running) return { healthy: false, reason: `the container exited with code ${state.exitCode}` };
    // With a restart policy the exit code is reset by the restart: say what is known.
    if (state.restarts > 0) {
      return { healthy: false, reason: `the container exited and was restarted ${state.restarts} time(s)` };
    }
    if (state.health === 'unhealthy') return { healthy: false, reason: 'its HEALTHCHECK reports unhealthy' };
    if (state.health === 'healthy') return { healthy: true };
    if (state.health === undefined && Date.now() - started >= settleMs) {
      if (options.port === undefined || (await accepts(options.port))) return { healthy: true };
    }
    await sleep(200);
  }
  return {
    healthy: false,
    reason: `not healthy within ${Math.round((options.timeoutMs ?? 60_000) / 1000)} s`,
  };
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
