import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { ButlerError, type EngineImageInspect } from '@devops-butler/core';
import { engineEndpoint } from './engine-endpoint.js';
import { type EngineEndpoint, endpointAddress, transportFor } from './engine-transport.js';
import { familiarTags } from './familiar-tags.js';

export type { EngineEndpoint } from './engine-transport.js';

/**
 * The engine's endpoint (see engineEndpoint: DOCKER_HOST, contexts, the local socket), or the
 * socket given. @deprecated every endpoint is reached now: call engineEndpoint.
 */
export function plainEndpoint(env: NodeJS.ProcessEnv, socketPath?: string): EngineEndpoint | undefined {
  return socketPath ? { socketPath } : engineEndpoint(env);
}

/** One Engine API call (with a JSON body when given); resolves with the status and the parsed JSON body. */
export async function engineRequest(
  endpoint: EngineEndpoint,
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  json?: unknown,
  extraHeaders: Record<string, string> = {},
): Promise<{ status: number; body: unknown }> {
  const payload = json === undefined ? undefined : Buffer.from(JSON.stringify(json));
  const headers: Record<string, string | number> = { accept: 'application/json', ...extraHeaders };
  if (payload)
    Object.assign(headers, { 'content-type': 'application/json', 'content-length': payload.length });
  const { status, body } = await engineExchange(endpoint, method, path, { headers, payload });
  return { status, body: parseBody(body) };
}

/**
 * One Engine API call with the answer as bytes: for streams read to the end (pull and push
 * progress, multiplexed logs) and for headers of its own (X-Registry-Auth).
 */
export function engineExchange(
  endpoint: EngineEndpoint,
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  options: {
    headers?: Record<string, string | number>;
    payload?: Buffer | undefined;
    /** Each piece of the answer as it arrives (pull and push progress); the body is still gathered. */
    onData?: ((chunk: Buffer) => void) | undefined;
  } = {},
): Promise<{ status: number; body: Buffer; headers: IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const transport = transportFor(endpoint);
    const req = transport.request({ ...transport.options, method, path, headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        options.onData?.(chunk);
      });
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), headers: res.headers }),
      );
      res.on('error', (error: NodeJS.ErrnoException) => reject(closedDuring(error, method, path)));
    });
    // Silence for this long (no connection, no byte) means the engine is not answering: a call
    // that hangs forever would hang the pipeline with it. Streams that report progress reset it.
    const seconds = engineTimeoutSeconds();
    req.setTimeout(seconds * 1000, () => {
      req.destroy(
        new ButlerError(
          'ENGINE_UNREACHABLE',
          `the Docker engine did not answer ${method} ${path.split('?')[0]} within ${seconds} s`,
          {
            hint: 'check that dockerd is running and responsive (docker info); BUTLER_ENGINE_TIMEOUT sets the limit in seconds',
          },
        ),
      );
    });
    req.on('error', (error: NodeJS.ErrnoException) =>
      reject(closedDuring(unreachable(error, endpoint), method, path)),
    );
    req.end(options.payload);
  });
}

/** Seconds an Engine API call may stay silent (BUTLER_ENGINE_TIMEOUT, default 120). */
export function engineTimeoutSeconds(env: NodeJS.ProcessEnv = process.env): number {
  const value = Number(env.BUTLER_ENGINE_TIMEOUT);
  return Number.isFinite(value) && value > 0 ? value : 120;
}

/** An image's inspect document, or undefined when the engine has no image by that reference. */
export async function inspectImage(
  endpoint: EngineEndpoint,
  reference: string,
): Promise<EngineImageInspect | undefined> {
  const { status, body } = await engineRequest(
    endpoint,
    'GET',
    `/images/${encodeURIComponent(reference)}/json`,
  );
  if (status === 404) return undefined;
  if (status !== 200) throw engineError(status, body);
  const image = body as EngineImageInspect;
  return { ...image, RepoTags: familiarTags(image.RepoTags) };
}

/** @deprecated the name of the earlier API: call engineEndpoint (any endpoint docker reaches). */
export function requirePlainEndpoint(env: NodeJS.ProcessEnv, _command?: string): EngineEndpoint {
  return engineEndpoint(env);
}

/**
 * `POST /build` with a tar stream as the body (none: the context comes through the build's
 * session); resolves with the streaming response once the engine accepted the build (an early
 * refusal, a bad Dockerfile name say, becomes an error).
 */
export function engineBuild(
  endpoint: EngineEndpoint,
  query: URLSearchParams,
  tar: Readable | undefined,
): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const transport = transportFor(endpoint);
    const req = transport.request(
      {
        ...transport.options,
        method: 'POST',
        path: `/build?${query}`,
        headers: tar
          ? { 'content-type': 'application/x-tar', 'transfer-encoding': 'chunked' }
          : { 'content-length': '0' },
      },
      (res) => {
        if (res.statusCode === 200) return resolve(res);
        readBody(res).then((body) => reject(engineError(res.statusCode ?? 0, body)), reject);
      },
    );
    req.on('error', (error: NodeJS.ErrnoException) =>
      reject(closedDuring(unreachable(error, endpoint), 'POST', '/build')),
    );
    if (!tar) return void req.end();
    tar.on('error', (error) => req.destroy(error));
    tar.pipe(req);
  });
}

/** A response body: parsed JSON, plain text when it is not JSON, undefined when empty. */
async function readBody(res: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  return parseBody(Buffer.concat(chunks));
}

/** Parsed JSON, plain text when it is not JSON, undefined when empty. */
function parseBody(bytes: Buffer): unknown {
  const text = bytes.toString('utf8');
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return text; // plain-text error bodies stay text
  }
}

/** Turns a socket error into one clear line, or passes other errors through. */
export function unreachable(error: NodeJS.ErrnoException, endpoint?: EngineEndpoint): Error {
  const code = String(error.code ?? '');
  if (endpoint && 'tls' in endpoint && endpoint.tls && /CERT|SSL|SELF_SIGNED|UNABLE_TO|TLS/.test(code)) {
    return new ButlerError(
      'ENGINE_UNREACHABLE',
      `cannot reach the Docker engine at ${endpointAddress(endpoint)}: its TLS handshake failed (${code})`,
      {
        cause: error,
        hint: "point DOCKER_CERT_PATH at the folder with the engine's ca.pem and your cert.pem and key.pem",
      },
    );
  }
  if (error.code === 'ENOENT' || error.code === 'ECONNREFUSED' || error.code === 'EACCES') {
    const at = endpoint ? ` at ${endpointAddress(endpoint)}` : '';
    return new ButlerError('ENGINE_UNREACHABLE', `cannot reach the Docker engine${at} (${error.code})`, {
      cause: error,
      hint:
        error.code === 'EACCES'
          ? 'run as a user in the docker group (or root), or point DOCKER_HOST at an engine you may use'
          : 'start Docker (e.g. sudo systemctl start docker), or point DOCKER_HOST at a running engine',
    });
  }
  return error;
}

/**
 * A connection the engine dropped in the middle of a call (it restarted, or died) as one line that
 * says so; other errors pass through.
 */
export function closedDuring(error: Error, method: string, path: string): Error {
  const code = (error as NodeJS.ErrnoException).code;
  const dropped = code === 'ECONNRESET' || code === 'EPIPE' || /socket hang up|aborted/i.test(error.message);
  if (!dropped || ButlerError.isInstance(error)) return error;
  const during = path.startsWith('/build') ? 'the build' : `${method} ${path.split('?')[0]}`;
  return new ButlerError(
    'ENGINE_UNREACHABLE',
    `the Docker engine closed the connection during ${during} — is it restarting?`,
    {
      cause: error,
      hint: 'check dockerd (docker info, its log), then run the command again',
    },
  );
}

/** An unexpected engine answer as one error line. */
export function engineError(status: number, body: unknown): ButlerError {
  const message = (body as { message?: string } | undefined)?.message ?? String(body);
  return new ButlerError('ENGINE_FAILED', `the Docker engine answered ${status}: ${message}`);
}
