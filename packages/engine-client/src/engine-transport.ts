import type { ChildProcess } from 'node:child_process';
import type * as Http from 'node:http';
import type { RequestOptions } from 'node:http';
import { Duplex } from 'node:stream';
import { ButlerError } from '@devops-butler/core';

// Taken as CommonJS builtins, not through ESM imports: an ESM import of node:http makes Node (22+)
// build its module facade, which reads every lazy export and loads undici (~20 ms of a cache hit).
const http = process.getBuiltinModule('node:http') as typeof Http;
const httpRequest = http.request;
const lazyHttps = () => process.getBuiltinModule('node:https') as typeof import('node:https');

/** TLS material for a `tcp://` engine (DOCKER_TLS_VERIFY, DOCKER_CERT_PATH, or a context's). */
export interface EngineTls {
  ca?: Buffer | undefined;
  cert?: Buffer | undefined;
  key?: Buffer | undefined;
  /** Check the engine's certificate against `ca` (DOCKER_TLS_VERIFY); false: encrypt only. */
  verify: boolean;
}

/** `ssh://[user@]host[:port]`: reached as the docker CLI reaches it, `ssh … docker system dial-stdio`. */
export interface EngineSsh {
  host: string;
  user?: string | undefined;
  port?: number | undefined;
  /** An ssh config file for `-F` (BUTLER_SSH_CONFIG); else the user's own ssh config applies. */
  configFile?: string | undefined;
}

/**
 * Where an engine listens: a unix socket, plain TCP, TCP with TLS, or a host reached over ssh.
 * Every Engine API call of Butler goes through one of these (engine-api.ts).
 */
export type EngineEndpoint =
  | { socketPath: string }
  | { host: string; port: number; tls?: undefined }
  | { host: string; port: number; tls: EngineTls }
  | { ssh: EngineSsh };

/** The endpoint as DOCKER_HOST would spell it, for messages. */
export function endpointAddress(endpoint: EngineEndpoint): string {
  if ('socketPath' in endpoint) return `unix://${endpoint.socketPath}`;
  if ('ssh' in endpoint) {
    const { user, host, port } = endpoint.ssh;
    return `ssh://${user ? `${user}@` : ''}${host}${port ? `:${port}` : ''}`;
  }
  return `tcp://${endpoint.host}:${endpoint.port}`;
}

/**
 * True for an engine on this machine: its published ports are this machine's (deploy's health
 * checks and front ask 127.0.0.1).
 */
export function isLocalEndpoint(endpoint: EngineEndpoint): endpoint is LocalEngineEndpoint {
  if ('socketPath' in endpoint) return true;
  if ('ssh' in endpoint) return false;
  return ['127.0.0.1', 'localhost', '::1', '[::1]'].includes(endpoint.host);
}

declare const onThisMachine: unique symbol;

/**
 * An endpoint whose engine runs on this machine. Only such an engine's published 127.0.0.1 ports
 * are reachable from here (health probes) and can take this machine's files into an image (the
 * deploy front's `node`): what needs one takes this type, so work for remote engines sees exactly
 * what to change. Made by `isLocalEndpoint`.
 */
export type LocalEngineEndpoint = EngineEndpoint & { readonly [onThisMachine]: true };

/** How to open an HTTP exchange with the engine: which `request` and the options that reach it. */
export function transportFor(endpoint: EngineEndpoint): {
  request: typeof httpRequest;
  options: RequestOptions;
} {
  // servername '' spares the agent working one out (an IP check whose first call costs ~6 ms):
  // plain HTTP has no TLS to name a server for.
  const plain = { servername: '' } as RequestOptions;
  if ('socketPath' in endpoint)
    return { request: httpRequest, options: { ...plain, socketPath: endpoint.socketPath } };
  if ('ssh' in endpoint) {
    // The Host header is the engine's business, not a name to resolve: the connection is ssh's.
    return { request: httpRequest, options: { ...plain, host: 'docker', agent: sshAgent(endpoint.ssh) } };
  }
  if (!endpoint.tls)
    return { request: httpRequest, options: { ...plain, host: endpoint.host, port: endpoint.port } };
  const { ca, cert, key, verify } = endpoint.tls;
  return {
    request: lazyHttps().request as unknown as typeof httpRequest,
    options: {
      host: endpoint.host,
      port: endpoint.port,
      ca,
      cert,
      key,
      rejectUnauthorized: verify,
    } as RequestOptions,
  };
}

const sshAgents = new Map<string, Http.Agent>();

/** One agent per ssh engine: connections are kept and reused, each one an `ssh` process. */
function sshAgent(target: EngineSsh): Http.Agent {
  const key = JSON.stringify(target);
  let agent = sshAgents.get(key);
  if (!agent) {
    agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
    (agent as unknown as { createConnection: () => Duplex }).createConnection = () =>
      new SshConnection(target);
    sshAgents.set(key, agent);
  }
  return agent;
}

/**
 * A connection to a remote engine through the machine's OpenSSH client, as the docker CLI opens
 * one: `ssh [-F config] [-l user] [-p port] -- host docker system dial-stdio`. The user's ssh
 * config, agent, keys and known_hosts apply; BatchMode, so a missing key fails instead of
 * prompting. What ssh says when it fails becomes the connection's error.
 */
class SshConnection extends Duplex {
  private readonly child: ChildProcess;
  private stderr = '';
  private timer: NodeJS.Timeout | undefined;

  constructor(target: EngineSsh) {
    super();
    const args = ['-o', 'BatchMode=yes', '-o', 'ConnectTimeout=30', '-T'];
    if (target.configFile) args.push('-F', target.configFile);
    if (target.user) args.push('-l', target.user);
    if (target.port) args.push('-p', String(target.port));
    args.push('--', target.host, 'docker', 'system', 'dial-stdio');
    const { spawn } = process.getBuiltinModule('node:child_process') as typeof import('node:child_process');
    this.child = spawn('ssh', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout?.on('data', (chunk: Buffer) => {
      if (!this.push(chunk)) this.child.stdout?.pause();
    });
    this.child.stderr?.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-2000);
    });
    this.child.on('error', (error) => this.fail(error));
    // A write after ssh gave up fails with EPIPE; how ssh ended (on close) is the error that counts.
    this.child.stdin?.on('error', () => undefined);
    // The end of ssh's output is the end of the connection only once ssh has said how it ended:
    // a refused key or an unknown host ends the output too, and that must be the error.
    this.child.on('close', (code) => {
      if (code !== 0 && code !== null) this.fail(sshError(target, code, this.stderr));
      else this.push(null);
    });
    queueMicrotask(() => this.emit('connect'));
  }

  /** Ends the connection with `error`, unless nobody uses it any more (then quietly). */
  private fail(error: Error): void {
    if (this.destroyed) return;
    this.destroy(this.listenerCount('error') > 0 ? error : undefined);
  }

  override _read(): void {
    this.child.stdout?.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.child.stdin?.write(chunk, () => done());
  }

  override _final(done: () => void): void {
    this.child.stdin?.end();
    done();
  }

  override _destroy(error: Error | null, done: (error: Error | null) => void): void {
    clearTimeout(this.timer);
    this.child.kill();
    done(error);
  }

  // What http's client asks of a socket.
  // As net.Socket does it: 0 turns the timer off and takes that callback away again (each request
  // on a kept-alive connection sets one; without this they pile up on the connection).
  setTimeout(ms: number, onTimeout?: () => void): this {
    clearTimeout(this.timer);
    if (ms === 0) {
      if (onTimeout) this.removeListener('timeout', onTimeout);
      return this;
    }
    if (onTimeout) this.once('timeout', onTimeout);
    this.timer = setTimeout(() => this.emit('timeout'), ms);
    return this;
  }
  setNoDelay(): this {
    return this;
  }
  setKeepAlive(): this {
    return this;
  }
  // A kept-alive connection waiting in the agent's pool must not keep the process alive.
  ref(): this {
    this.child.ref();
    for (const stream of [this.child.stdin, this.child.stdout, this.child.stderr]) {
      (stream as unknown as { ref?: () => void } | null)?.ref?.();
    }
    return this;
  }
  unref(): this {
    this.child.unref();
    for (const stream of [this.child.stdin, this.child.stdout, this.child.stderr]) {
      (stream as unknown as { unref?: () => void } | null)?.unref?.();
    }
    return this;
  }
}

/** What ssh said, as one line naming the host and what to do. */
function sshError(target: EngineSsh, code: number, stderr: string): ButlerError {
  const host = `${target.user ? `${target.user}@` : ''}${target.host}${target.port ? `:${target.port}` : ''}`;
  const said = stderr.trim().split('\n').filter(Boolean).at(-1) ?? `ssh exited with code ${code}`;
  const hint = /Host key verification failed|REMOTE HOST IDENTIFICATION/i.test(stderr)
    ? `the host key of ${target.host} is unknown or changed: check it, then add it (ssh-keyscan, or ssh ${host} once)`
    : /Permission denied/i.test(stderr)
      ? `${host} refused the key: add your public key to its authorized_keys, or load the right key into ssh-agent`
      : /Could not resolve|Connection refused|timed out|No route/i.test(stderr)
        ? `check that ${target.host} is reachable and runs sshd${target.port ? ` on port ${target.port}` : ''}`
        : /docker.*not found|command not found/i.test(stderr)
          ? `install the docker CLI on ${target.host} (Butler runs docker system dial-stdio there, as docker does)`
          : 'try ssh to it by hand; the docker CLI reaches it the same way';
  return new ButlerError('ENGINE_UNREACHABLE', `cannot reach the Docker engine at ssh://${host}: ${said}`, {
    hint,
  });
}
