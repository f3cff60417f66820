import {
  createServer,
  type Http2Session,
  type IncomingHttpHeaders,
  type ServerHttp2Stream,
} from 'node:http2';
import type { Duplex } from 'node:stream';

/**
 * A gRPC server small enough to read, on node:http2: what a BuildKit session needs (the engine
 * calls, Butler answers). Unary and streaming calls alike are a handler that reads the request
 * messages and sends answers; no compression (Butler never advertises any), no deadlines (the
 * engine cancels a call by resetting its stream).
 */

/** A call's request metadata: each header's values in the order sent (gRPC may repeat a key). */
export type GrpcMetadata = ReadonlyMap<string, readonly string[]>;

export interface GrpcCall {
  metadata: GrpcMetadata;
  /** The request messages as they arrive; ends when the client half-closes. */
  messages: AsyncIterable<Buffer>;
  /** Sends one response message (given whole or in parts); resolves once the stream can take more. */
  send(message: Uint8Array | readonly Uint8Array[]): Promise<void>;
}

/** Resolves: the call ends with status OK. Rejects: it ends with the error's status and message. */
export type GrpcHandler = (call: GrpcCall) => Promise<void>;

/** An error a handler throws to end its call with a given gRPC status code. */
export class GrpcStatusError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

export const GRPC_UNKNOWN = 2;
export const GRPC_NOT_FOUND = 5;
export const GRPC_UNIMPLEMENTED = 12;

export interface GrpcServer {
  close(): void;
}

/** Serves `handlers` (by method path, `/package.Service/Method`) on a connection the peer speaks HTTP/2 on. */
export function serveGrpc(connection: Duplex, handlers: ReadonlyMap<string, GrpcHandler>): GrpcServer {
  const server = createServer();
  const sessions = new Set<Http2Session>();
  server.on('session', (session) => {
    sessions.add(session);
    session.on('close', () => sessions.delete(session));
    // A peer that goes away mid-call is the build's failure to report, not this process's.
    session.on('error', () => undefined);
  });
  server.on('stream', (stream, headers, _flags, rawHeaders?: string[]) => {
    stream.on('error', () => undefined);
    const handler = handlers.get(String(headers[':path']));
    if (!handler) return finish(stream, false, GRPC_UNIMPLEMENTED, 'not served by this session');
    let responded = false;
    const call: GrpcCall = {
      metadata: metadataOf(headers, rawHeaders),
      // A handler that stops reading (its answer sent) must not reset the stream it still answers on.
      messages: readMessages(stream.iterator({ destroyOnReturn: false })),
      send: async (message) => {
        if (stream.destroyed || stream.closed)
          throw new GrpcStatusError(GRPC_UNKNOWN, 'the call was cancelled');
        if (!responded) {
          responded = true;
          stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
        }
        if (!stream.write(frame(message))) await drainedOrClosed(stream);
      },
    };
    handler(call).then(
      () => finish(stream, responded, 0),
      (error: unknown) =>
        finish(
          stream,
          responded,
          error instanceof GrpcStatusError ? error.code : GRPC_UNKNOWN,
          error instanceof Error ? error.message : String(error),
        ),
    );
  });
  // A TLS connection (tcp:// with TLS) negotiated no ALPN protocol, which node:http2's server reads
  // as HTTP/1.1 and drops; this one was upgraded to HTTP/2 in-band (`Upgrade: h2c`).
  const tls = connection as Duplex & { alpnProtocol?: string | false | null };
  if ('alpnProtocol' in tls) tls.alpnProtocol = 'h2';
  server.emit('connection', connection);
  return {
    close() {
      for (const session of sessions) session.destroy();
      connection.destroy();
      server.close();
    },
  };
}

/**
 * Waits for room to write again, or for the stream's end. Both listeners go once either fires: a
 * file sync waits here thousands of times, and listeners left behind pile up (and Node warns).
 */
function drainedOrClosed(stream: ServerHttp2Stream): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      stream.off('drain', done);
      stream.off('close', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('close', done);
  });
}

/** Ends a call: trailers after the messages, or a trailers-only answer when nothing was sent. */
function finish(stream: ServerHttp2Stream, responded: boolean, code: number, message?: string): void {
  if (stream.destroyed || stream.closed) return;
  const status: Record<string, string> = { 'grpc-status': String(code) };
  if (message) status['grpc-message'] = encodeURIComponent(message);
  if (!responded) {
    stream.respond({ ':status': 200, 'content-type': 'application/grpc', ...status }, { endStream: true });
    return;
  }
  stream.once('wantTrailers', () => stream.sendTrailers(status));
  stream.end();
}

/** Length-prefixed messages: a compressed flag (always 0 here), a 4-byte big-endian length, the bytes. */
export function frame(message: Uint8Array | readonly Uint8Array[]): Buffer {
  const parts = message instanceof Uint8Array ? [message] : message;
  let length = 0;
  for (const part of parts) length += part.length;
  const out = Buffer.allocUnsafe(5 + length);
  out[0] = 0;
  out.writeUInt32BE(length, 1);
  let at = 5;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** The messages of a request body, split out of its DATA frames. */
export async function* readMessages(body: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  let buffered: Buffer = Buffer.alloc(0);
  for await (const chunk of body) {
    buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
    while (buffered.length >= 5) {
      if (buffered[0] !== 0)
        throw new GrpcStatusError(GRPC_UNIMPLEMENTED, 'compressed messages are not accepted');
      const end = 5 + buffered.readUInt32BE(1);
      if (buffered.length < end) break;
      yield buffered.subarray(5, end);
      buffered = buffered.subarray(end);
    }
  }
  if (buffered.length > 0) throw new GrpcStatusError(GRPC_UNKNOWN, 'the request ended inside a message');
}

function metadataOf(headers: IncomingHttpHeaders, rawHeaders: string[] | undefined): GrpcMetadata {
  const metadata = new Map<string, string[]>();
  if (rawHeaders) {
    for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
      const key = String(rawHeaders[i]).toLowerCase();
      if (key.startsWith(':')) continue;
      metadata.set(key, [...(metadata.get(key) ?? []), String(rawHeaders[i + 1])]);
    }
    return metadata;
  }
  for (const [key, value] of Object.entries(headers)) {
    if (key.startsWith(':') || value === undefined) continue;
    metadata.set(key, Array.isArray(value) ? value : [value]);
  }
  return metadata;
}
