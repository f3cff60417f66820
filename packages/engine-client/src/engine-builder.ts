import type { IncomingHttpHeaders } from 'node:http';
import { type EngineEndpoint, engineExchange } from './engine-api.js';

/** What builds images behind an endpoint, as its `/_ping` answer tells. */
export interface EngineBuilder {
  /** `podman` serves the Docker API through libpod (and builds with Buildah). */
  engine: 'docker' | 'podman' | 'unknown';
  /** The `Server` header's version (`20.10.24+dfsg1`, `4.3.1`). */
  version: string | undefined;
  /**
   * The engine's default builder: `2` is BuildKit (Docker 23 and later), `1` the classic builder
   * (Docker 20.10 sends no header, which means the classic one).
   */
  defaultBuilder: 'classic' | 'buildkit';
}

/** Reads an engine's `/_ping` headers (recorded answers are in the tests). */
export function engineBuilderFromPing(headers: IncomingHttpHeaders): EngineBuilder {
  const server = String(headers.server ?? '');
  const podman = headers['libpod-api-version'] !== undefined || /^libpod\//i.test(server);
  const docker = /^docker\//i.test(server);
  return {
    engine: podman ? 'podman' : docker ? 'docker' : 'unknown',
    version: /^[^/]+\/(\S+)/.exec(server)?.[1],
    defaultBuilder: headers['builder-version'] === '2' ? 'buildkit' : 'classic',
  };
}

/** Asks the engine who it is; undefined when it does not answer `/_ping`. */
export async function engineBuilder(endpoint: EngineEndpoint): Promise<EngineBuilder | undefined> {
  const answer = await engineExchange(endpoint, 'GET', '/_ping').catch(() => undefined);
  return answer && answer.status === 200 ? engineBuilderFromPing(answer.headers) : undefined;
}

/**
 * Which builder the Engine API's `/build` (the dockerode backend) uses, in one line for
 * `butler build --verbose`: always the classic one on Docker (BuildKit over this API needs a gRPC
 * session Butler does not speak), Buildah on Podman.
 */
export function describeApiBuilder(found: EngineBuilder | undefined): string {
  if (!found) return 'builder: the engine did not answer /_ping; building through its /build API';
  const name = `${found.engine === 'podman' ? 'Podman' : found.engine === 'docker' ? 'Docker' : 'the engine'}${found.version ? ` ${found.version}` : ''}`;
  if (found.engine === 'podman') return `builder: Buildah, through ${name}'s Docker-compatible /build API`;
  return found.defaultBuilder === 'buildkit'
    ? `builder: the classic builder through ${name}'s /build API (the engine's default is BuildKit, which backend: 'docker-cli' uses)`
    : `builder: the classic builder, ${name}'s default`;
}
