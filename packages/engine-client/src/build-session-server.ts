import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import type { Duplex } from 'node:stream';
import { create, createFileRegistry, type DescMessage, fromBinary, toBinary } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema } from '@bufbuild/protobuf/wkt';
import { ButlerError } from '@devops-butler/core';
import type { BuildSession, BuildSshAgent, SessionServices } from './build-session.js';
import { unreachable } from './engine-api.js';
import { type EngineEndpoint, transportFor } from './engine-transport.js';
import { message, scalar, Type } from './proto-descriptor.js';

// BuildKit's session services Butler serves (moby.buildkit.secrets.v1, moby.sshforward.v1 and
// grpc.health.v1), as their .proto files define them; annotations (field 2 of GetSecretRequest)
// are not needed.
const SESSION_PROTO = create(FileDescriptorProtoSchema, {
  name: 'butler/session.proto',
  package: 'butler.session',
  syntax: 'proto3',
  messageType: [
    message('GetSecretRequest', [scalar('id', 1, Type.STRING)]),
    message('GetSecretResponse', [scalar('data', 1, Type.BYTES)]),
    message('HealthCheckRequest', [scalar('service', 1, Type.STRING)]),
    message('HealthCheckResponse', [scalar('status', 1, Type.INT32)]),
    message('BytesMessage', [scalar('data', 1, Type.BYTES)]),
    message('CheckAgentRequest', [scalar('id', 1, Type.STRING)]),
    message('CheckAgentResponse', []),
  ],
});
const SECRETS_GET = '/moby.buildkit.secrets.v1.Secrets/GetSecret';
const HEALTH_CHECK = '/grpc.health.v1.Health/Check';
const SSH_CHECK = '/moby.sshforward.v1.SSH/CheckAgent';
const SSH_FORWARD = '/moby.sshforward.v1.SSH/ForwardAgent';
/** The metadata key BuildKit names the agent by on ForwardAgent (sshforward.KeySSHID). */
const SSH_ID_KEY = 'buildkit.ssh.id';
/** grpc.health.v1.HealthCheckResponse.ServingStatus.SERVING */
const SERVING = 1;

type GrpcModule = typeof import('@grpc/grpc-js');
// grpc-js types a service's methods with `any` messages; ours are protobuf-es messages.
// biome-ignore lint/suspicious/noExplicitAny: the shape grpc-js's addService takes
type Method = import('@grpc/grpc-js').MethodDefinition<any, any>;

/**
 * Opens a BuildKit session on the engine (`POST /session`, upgraded to HTTP/2) and serves the
 * secrets on it with @grpc/grpc-js: the engine is the gRPC client, Butler the server. A secret's
 * value goes from `read()` to the engine and nowhere else. Needs the optional `@grpc/grpc-js`.
 */
export async function openSession(
  endpoint: EngineEndpoint,
  { secrets, agents = [] }: SessionServices,
): Promise<BuildSession> {
  const grpc: GrpcModule = await import('@grpc/grpc-js').catch(() => {
    throw new ButlerError(
      'CONFIG_INVALID',
      'build secrets reach BuildKit through a session served by the @grpc/grpc-js package, which is not installed',
      { hint: 'npm install @grpc/grpc-js (next to @devops-butler/cli)' },
    );
  });
  const registry = createFileRegistry(SESSION_PROTO, () => undefined);
  const schema = (name: string) => registry.getMessage(`butler.session.${name}`) as DescMessage;
  const byId = new Map(secrets.map((secret) => [secret.id, secret]));
  const server = new grpc.Server();
  // One method of a service, unary or (streams) bidirectional, its messages by their schema's name.
  const unary = (path: string, requestType: string, responseType: string, streams = false): Method => ({
    path,
    requestStream: streams,
    responseStream: streams,
    requestSerialize: (value) => Buffer.from(toBinary(schema(requestType), value)),
    requestDeserialize: (bytes: Buffer) => fromBinary(schema(requestType), bytes),
    responseSerialize: (value) => Buffer.from(toBinary(schema(responseType), value)),
    responseDeserialize: (bytes: Buffer) => fromBinary(schema(responseType), bytes),
  });
  server.addService(
    { GetSecret: unary(SECRETS_GET, 'GetSecretRequest', 'GetSecretResponse') },
    {
      GetSecret: (
        call: { request: { id: string } },
        respond: (error: { code: number; details: string } | null, value?: unknown) => void,
      ) => {
        const secret = byId.get(call.request.id);
        // Unknown: BuildKit then skips an optional mount and fails a required one, naming the id.
        if (!secret) return respond({ code: grpc.status.NOT_FOUND, details: 'not given' });
        secret.read().then(
          (data) => respond(null, create(schema('GetSecretResponse'), { data })),
          () => respond({ code: grpc.status.NOT_FOUND, details: 'cannot be read' }),
        );
      },
    },
  );
  server.addService(
    { Check: unary(HEALTH_CHECK, 'HealthCheckRequest', 'HealthCheckResponse') },
    {
      Check: (_call: unknown, respond: (error: null, value: unknown) => void) =>
        respond(null, create(schema('HealthCheckResponse'), { status: SERVING })),
    },
  );
  const agentsById = new Map(agents.map((agent) => [agent.id, agent]));
  if (agents.length > 0) {
    server.addService(
      {
        CheckAgent: unary(SSH_CHECK, 'CheckAgentRequest', 'CheckAgentResponse'),
        ForwardAgent: unary(SSH_FORWARD, 'BytesMessage', 'BytesMessage', true),
      },
      {
        CheckAgent: (
          call: { request: { id: string } },
          respond: (error: { code: number; details: string } | null, value?: unknown) => void,
        ) =>
          agentsById.has(call.request.id || 'default')
            ? respond(null, create(schema('CheckAgentResponse'), {}))
            : respond({ code: grpc.status.NOT_FOUND, details: 'not given' }),
        ForwardAgent: (call: AgentStream) => forwardAgent(call, agentsById, schema('BytesMessage')),
      } as never,
    );
  }
  const injector = server.createConnectionInjector(grpc.ServerCredentials.createInsecure());
  const id = randomBytes(16).toString('hex').slice(0, 25);
  const socket = await upgrade(endpoint, {
    Upgrade: 'h2c',
    Connection: 'Upgrade',
    'X-Docker-Expose-Session-Uuid': id,
    'X-Docker-Expose-Session-Name': 'butler',
    'X-Docker-Expose-Session-Sharedkey': randomBytes(8).toString('hex'),
    'X-Docker-Expose-Session-Grpc-Method': [
      SECRETS_GET,
      HEALTH_CHECK,
      ...(agents.length > 0 ? [SSH_CHECK, SSH_FORWARD] : []),
    ],
  });
  injector.injectConnection(socket);
  return {
    id,
    close: () => {
      socket.destroy();
      server.forceShutdown();
    },
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
          hint: 'build secrets need an engine with BuildKit (Docker 18.09 or later)',
        }),
      );
    });
    req.on('error', (error: NodeJS.ErrnoException) => reject(unreachable(error, endpoint)));
    req.end();
  });
}

/** One ForwardAgent call as grpc-js hands it over: a stream of BytesMessages both ways. */
interface AgentStream {
  metadata: { get(key: string): unknown[] };
  on(event: 'data', listener: (message: { data: Uint8Array }) => void): void;
  on(event: 'end' | 'error' | 'cancelled', listener: () => void): void;
  write(message: unknown): boolean;
  end(): void;
  destroy(error?: Error): void;
}

/**
 * One connection of the build to an SSH agent: the bytes BuildKit sends go to the agent's socket on
 * this machine, the agent's answers go back. Keys never leave the agent.
 */
function forwardAgent(
  call: AgentStream,
  agents: ReadonlyMap<string, BuildSshAgent>,
  bytes: DescMessage,
): void {
  const id = String(call.metadata.get(SSH_ID_KEY)[0] ?? 'default');
  const agent = agents.get(id);
  if (!agent) {
    call.destroy(new Error(`no SSH agent "${id}" was given`));
    return;
  }
  const socket = connect(agent.socket);
  socket.on('data', (chunk: Buffer) => call.write(create(bytes, { data: chunk })));
  socket.on('end', () => call.end());
  socket.on('error', () => call.end());
  call.on('data', (message) => socket.write(message.data));
  call.on('end', () => socket.end());
  call.on('cancelled', () => socket.destroy());
  call.on('error', () => socket.destroy());
}
