import { once } from 'node:events';
import { connect as http2Connect } from 'node:http2';
import { type AddressInfo, createServer, connect as netConnect } from 'node:net';
import { afterEach, expect, test } from 'vitest';
import {
  frame,
  GRPC_NOT_FOUND,
  type GrpcHandler,
  GrpcStatusError,
  readMessages,
  serveGrpc,
} from './grpc-server.js';

const closers: (() => void)[] = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
});

/** A gRPC client's view (a real HTTP/2 client) of serveGrpc on a loopback connection. */
async function call(handlers: Map<string, GrpcHandler>, path: string, requests: Buffer[], headers = {}) {
  const listener = createServer((socket) => {
    const server = serveGrpc(socket, handlers);
    closers.push(() => server.close());
  });
  listener.listen(0, '127.0.0.1');
  await once(listener, 'listening');
  closers.push(() => listener.close());
  const { port } = listener.address() as AddressInfo;
  const client = http2Connect(`http://127.0.0.1:${port}`, {
    createConnection: () => netConnect(port, '127.0.0.1'),
  });
  closers.push(() => client.close());
  const stream = client.request({
    ':method': 'POST',
    ':path': path,
    'content-type': 'application/grpc',
    te: 'trailers',
    ...headers,
  });
  for (const request of requests) stream.write(frame(request));
  stream.end();
  let status: string | undefined;
  let message: string | undefined;
  const take = (h: Record<string, unknown>) => {
    if (h['grpc-status'] !== undefined) status = String(h['grpc-status']);
    if (h['grpc-message'] !== undefined) message = decodeURIComponent(String(h['grpc-message']));
  };
  stream.on('response', take);
  stream.on('trailers', take);
  const answers: string[] = [];
  for await (const answer of readMessages(stream)) answers.push(answer.toString());
  return { status, message, answers };
}

test('a streaming call: each request answered in order, then status OK in the trailers', async () => {
  const handlers = new Map<string, GrpcHandler>([
    [
      '/test.Echo/Stream',
      async (c) => {
        for await (const m of c.messages) await c.send(Buffer.from(`echo ${m}`));
      },
    ],
  ]);
  const result = await call(handlers, '/test.Echo/Stream', [
    Buffer.from('one'),
    Buffer.from('two'),
    Buffer.alloc(0),
  ]);
  expect(result).toEqual({ status: '0', message: undefined, answers: ['echo one', 'echo two', 'echo '] });
});

test("a handler's error ends the call with its status and message; an unknown method is UNIMPLEMENTED", async () => {
  const handlers = new Map<string, GrpcHandler>([
    [
      '/test.Secrets/Get',
      async (c) => {
        for await (const _ of c.messages) throw new GrpcStatusError(GRPC_NOT_FOUND, 'not given: 100% sure');
      },
    ],
  ]);
  expect(await call(handlers, '/test.Secrets/Get', [Buffer.from('x')])).toEqual({
    status: String(GRPC_NOT_FOUND),
    message: 'not given: 100% sure',
    answers: [],
  });
  expect((await call(handlers, '/test.Other/Call', [])).status).toBe('12');
});

test('metadata keeps every value of a repeated key, in order', async () => {
  let seen: readonly string[] | undefined;
  const handlers = new Map<string, GrpcHandler>([
    [
      '/test.Meta/Get',
      async (c) => {
        seen = c.metadata.get('followpaths');
      },
    ],
  ]);
  await call(handlers, '/test.Meta/Get', [], { followpaths: ['Dockerfile', 'a, b'] });
  expect(seen).toEqual(['Dockerfile', 'a, b']);
});

test('messages split across frames, and several in one frame, are read whole', async () => {
  async function* chunks() {
    const all = Buffer.concat([frame(Buffer.from('first')), frame(Buffer.from('second message'))]);
    yield all.subarray(0, 3);
    yield all.subarray(3, 12);
    yield all.subarray(12);
  }
  const read: string[] = [];
  for await (const m of readMessages(chunks())) read.push(m.toString());
  expect(read).toEqual(['first', 'second message']);
  async function* cut() {
    yield frame(Buffer.from('whole')).subarray(0, 7);
  }
  await expect(async () => {
    for await (const _ of readMessages(cut()));
  }).rejects.toThrow(/ended inside a message/);
});

test('a long answer to a slow reader leaves no listeners behind (no MaxListenersExceededWarning)', async () => {
  const warnings: string[] = [];
  const onWarning = (warning: Error) => warnings.push(warning.name);
  process.on('warning', onWarning);
  const handlers = new Map<string, GrpcHandler>([
    [
      '/test.Files/Send',
      async (c) => {
        // 8 MiB in 64 KiB messages: far more than the stream's window, so writes wait for room.
        for (let i = 0; i < 128; i++) await c.send(Buffer.alloc(64 * 1024, i));
      },
    ],
  ]);
  try {
    const result = await call(handlers, '/test.Files/Send', []);
    expect(result.status).toBe('0');
    expect(result.answers).toHaveLength(128);
    await new Promise((resolve) => setImmediate(resolve));
    expect(warnings).not.toContain('MaxListenersExceededWarning');
  } finally {
    process.off('warning', onWarning);
  }
});
