import { type IncomingMessage, request } from 'node:http';
import type { Readable } from 'node:stream';
import { ButlerError } from '@devops-butler/core';

/** Where the engine listens, as docker-modem would read it from DOCKER_HOST or an explicit socket. */
export type EngineEndpoint = { socketPath: string } | { host: string; port: number };

/**
 * The endpoint for Butler's own small calls (inspect, tag), or undefined when only dockerode can
 * talk to it (ssh://, TLS). Loading dockerode costs ~0.25 s, a large part of a cache hit; these
 * two calls are one HTTP request each.
 */
export function plainEndpoint(env: NodeJS.ProcessEnv, socketPath?: string): EngineEndpoint | undefined {
  if (socketPath) return { socketPath };
  const host = env.DOCKER_HOST;
  if (!host) return { socketPath: '/var/run/docker.sock' };
  if (host.startsWith('unix://')) return { socketPath: host.slice('unix://'.length) };
  if (host.startsWith('tcp://') && !env.DOCKER_TLS_VERIFY && !env.DOCKER_CERT_PATH) {
    const url = new URL(host.replace(/^tcp:/, 'http:'));
    return { host: url.hostname, port: Number(url.port || 2375) };
  }
  return undefined;
}

/** One Engine API call (with a JSON body when given); resolves with the status and the parsed JSON body. */
export function engineRequest(
  endpoint: EngineEndpoint,
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  json?: unknown,
): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const payload = json === undefined ? undefined : Buffer.from(JSON.stringify(json));
    const headers: Record<string, string | number> = { accept: 'application/json' };
    if (payload)
      Object.assign(headers, { 'content-type': 'application/json', 'content-length': payload.length });
    const req = request({ ...endpoint, method, path, headers }, (res) => {
      readBody(res).then((body) => resolve({ status: res.statusCode ?? 0, body }), reject);
    });
    req.on('error', (error: NodeJS.ErrnoException) => reject(unreachable(error)));
    req.end(payload);
  });
}

/**
 * `POST /build` with a tar stream as the body; resolves with the streaming response once the engine
 * accepted the build (an early refusal, a bad Dockerfile name say, becomes an error).
 */
export function engineBuild(
  endpoint: EngineEndpoint,
  query: URLSearchParams,
  tar: Readable,
): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        ...endpoint,
        method: 'POST',
        path: `/build?${query}`,
        headers: { 'content-type': 'application/x-tar', 'transfer-encoding': 'chunked' },
      },
      (res) => {
        if (res.statusCode === 200) return resolve(res);
        readBody(res).then((body) => reject(engineError(res.statusCode ?? 0, body)), reject);
      },
    );
    req.on('error', (error: NodeJS.ErrnoException) => reject(unreachable(error)));
    tar.on('error', (error) => req.destroy(error));
    tar.pipe(req);
  });
}

/** A response body: parsed JSON, plain text when it is not JSON, undefined when empty. */
async function readBody(res: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return text; // plain-text error bodies stay text
  }
}

/** Turns a socket error into one clear line, or passes other errors through. */
export function unreachable(error: NodeJS.ErrnoException): Error {
  if (error.code === 'ENOENT' || error.code === 'ECONNREFUSED' || error.code === 'EACCES') {
    return new ButlerError('ENGINE_UNREACHABLE', `cannot reach the Docker engine (${error.code})`, {
      cause: error,
      hint: 'start it (Debian: sudo bash scripts/docker-engine.sh) or set DOCKER_HOST',
    });
  }
  return error;
}

/** An unexpected engine answer as one error line. */
export function engineError(status: number, body: unknown): ButlerError {
  const message = (body as { message?: string } | undefined)?.message ?? String(body);
  return new ButlerError('PLUGIN_FAILED', `the Docker engine answered ${status}: ${message}`);
}
