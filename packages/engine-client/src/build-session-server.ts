import { once } from 'node:events';
import { connect } from 'node:net';
import type { Duplex } from 'node:stream';
import { ButlerError, nodeCrypto } from '@devops-butler/core';
import type { BuildSession, BuildSshAgent, SessionServices } from './build-session.js';
import { unreachable } from './engine-api.js';
import { type EngineEndpoint, transportFor } from './engine-transport.js';
import { DIFF_COPY, serveDiffCopy } from './file-sync.js';
import {
  GRPC_NOT_FOUND,
  GRPC_UNKNOWN,
  type GrpcCall,
  type GrpcHandler,
  GrpcStatusError,
  serveGrpc,
} from './grpc-server.js';
import { bytesOf, ProtoWriter, readFields, text } from './protowire.js';

// The session services Butler serves (moby.buildkit.secrets.v1, moby.sshforward.v1 and
// grpc.health.v1): each message has one field, number 1 (GetSecretRequest.id, GetSecretResponse.data,
// HealthCheckResponse.status, BytesMessage.data, CheckAgentRequest.id); annotations (field 2 of
// GetSecretRequest) are not needed. The file sync's messages are in fsutil-wire.ts.
const SECRETS_GET = '/moby.buildkit.secrets.v1.Secrets/GetSecret';
const HEALTH_CHECK = '/grpc.health.v1.Health/Check';
const SSH_CHECK = '/moby.sshforward.v1.SSH/CheckAgent';
const SSH_FORWARD = '/moby.sshforward.v1.SSH/ForwardAgent';
/** The metadata key BuildKit names the agent by on ForwardAgent (sshforward.KeySSHID). */
const SSH_ID_KEY = 'buildkit.ssh.id';
/** grpc.health.v1.HealthCheckResponse.ServingStatus.SERVING */
const SERVING = 1;

/**
 * Opens a BuildKit session on the engine (`POST /session`, upgraded to HTTP/2) and serves on it:
 * the engine is the gRPC client, Butler the server. A secret's value goes from `read()` to the
 * engine and nowhere else; a folder's files go only where its entries' readers send them.
 */
export async function openSession(
  endpoint: EngineEndpoint,
  { secrets, agents = [], folders, sharedKey }: SessionServices,
): Promise<BuildSession> {
  const byId = new Map(secrets.map((secret) => [secret.id, secret]));
  const agentsById = new Map(agents.map((agent) => [agent.id, agent]));
  const handlers = new Map<string, GrpcHandler>([
    [HEALTH_CHECK, unary(async () => new ProtoWriter().tag(1, 0).varint(SERVING).finish())],
    [
      SECRETS_GET,
      unary(async (request) => {
        const secret = byId.get(fieldOne(request));
        // Unknown: BuildKit then skips an optional mount and fails a required one, naming the id.
        if (!secret) throw new GrpcStatusError(GRPC_NOT_FOUND, 'not given');
        const data = await secret.read().catch(() => {
          throw new GrpcStatusError(GRPC_NOT_FOUND, 'cannot be read');
        });
        return bytesField(data);
      }),
    ],
  ]);
  if (agents.length > 0) {
    handlers.set(
      SSH_CHECK,
      unary(async (request) => {
        const id = fieldOne(request) || 'default';
        if (!agentsById.has(id)) throw new GrpcStatusError(GRPC_NOT_FOUND, 'not given');
        return new Uint8Array(0);
      }),
    );
    handlers.set(SSH_FORWARD, (call) => forwardAgent(call, agentsById));
  }
  if (folders) handlers.set(DIFF_COPY, (call) => serveDiffCopy(call, folders));
  const id = nodeCrypto().randomBytes(16).toString('hex').slice(0, 25);
  const socket = await upgrade(endpoint, {
    Upgrade: 'h2c',
    Connection: 'Upgrade',
    'X-Docker-Expose-Session-Uuid': id,
    'X-Docker-Expose-Session-Name': 'butler',
    'X-Docker-Expose-Session-Sharedkey': sharedKey ?? nodeCrypto().randomBytes(8).toString('hex'),
    'X-Docker-Expose-Session-Grpc-Method': [...handlers.keys()],
  });
  const server = serveGrpc(socket, handlers);
  return { id, close: () => server.close() };
}

/** Field 1 of a message, as text. */
function fieldOne(message: Uint8Array): string {
  let value = '';
  readFields(message, (field, bytes) => {
    if (field === 1) value = text(bytes);
  });
  return value;
}

/** A message whose field 1 holds `data`. */
function bytesField(data: Uint8Array): Uint8Array {
  return data.length === 0 ? new Uint8Array(0) : new ProtoWriter().tag(1, 2).bytes(data).finish();
}

/** A call with one request message and one answer. */
function unary(answer: (request: Buffer) => Promise<Uint8Array>): GrpcHandler {
  return async (call) => {
    for await (const request of call.messages) {
      await call.send(await answer(request));
      return;
    }
    throw new GrpcStatusError(GRPC_UNKNOWN, 'the call carried no request');
  };
}

/** `POST /session` answered with 101: the raw connection, now the engine's HTTP/2 client side. */
function upgrade(endpoint: EngineEndpoint, headers: Record<string, string | string[]>): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    const transport = transportFor(endpoint);
    const req = transport.request({ ...transport.options, method: 'POST', path: '/session', headers });
    req.on('upgrade', (_res, socket, head) => {
      if (head.length > 0) socket.unshift(head);
      resolve(socket);
    });
    req.on('response', (res) => {
      res.resume();
      reject(
        new ButlerError('ENGINE_FAILED', `the engine refused a build session (HTTP ${res.statusCode})`, {
          hint: "BuildKit's sessions need Docker 18.09 or later; with an older engine, build with the classic builder (DOCKER_BUILDKIT=0)",
        }),
      );
    });
    req.on('error', (error: NodeJS.ErrnoException) => reject(unreachable(error, endpoint)));
    req.end();
  });
}

/**
 * One connection of the build to an SSH agent: the bytes BuildKit sends go to the agent's socket on
 * this machine, the agent's answers go back. Keys never leave the agent.
 */
async function forwardAgent(call: GrpcCall, agents: ReadonlyMap<string, BuildSshAgent>): Promise<void> {
  const id = call.metadata.get(SSH_ID_KEY)?.[0] ?? 'default';
  const agent = agents.get(id);
  if (!agent) throw new GrpcStatusError(GRPC_NOT_FOUND, `no SSH agent "${id}" was given`);
  const socket = connect(agent.socket);
  const answers = (async () => {
    for await (const chunk of socket) await call.send(bytesField(chunk as Buffer));
  })();
  try {
    for await (const message of call.messages) {
      let data: Uint8Array = new Uint8Array(0);
      readFields(message, (field, value) => {
        if (field === 1) data = bytesOf(value);
      });
      if (!socket.write(data)) await once(socket, 'drain');
    }
    socket.end();
    await answers;
  } finally {
    socket.destroy();
  }
}
