import type { IncomingHttpHeaders } from 'node:http';
import type { Builder } from '@devops-butler/core';
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
  /** `linux` or `windows` (the engine's `OSType`); BuildKit builds Linux images only. */
  os: string | undefined;
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
    os: typeof headers.ostype === 'string' ? headers.ostype : undefined,
  };
}

/** Asks the engine who it is; undefined when it does not answer `/_ping`. */
export async function engineBuilder(endpoint: EngineEndpoint): Promise<EngineBuilder | undefined> {
  const answer = await engineExchange(endpoint, 'GET', '/_ping').catch(() => undefined);
  return answer && answer.status === 200 ? engineBuilderFromPing(answer.headers) : undefined;
}

/** Which builder builds, and why (for `--verbose` and `--json`). */
export interface BuilderChoice {
  builder: Builder;
  reason: string;
}

/**
 * `DOCKER_BUILDKIT` as docker reads it: `1`/`true` asks for BuildKit, `0`/`false` for the classic
 * builder; unset or anything else says nothing.
 */
export function builderFromEnvironment(env: NodeJS.ProcessEnv): Builder | undefined {
  const value = env.DOCKER_BUILDKIT?.trim().toLowerCase();
  if (value === '1' || value === 'true') return 'buildkit';
  if (value === '0' || value === 'false') return 'classic';
  return undefined;
}

/**
 * The builder the Engine API's `/build` uses for Butler: what the config or `DOCKER_BUILDKIT` asks
 * for; else BuildKit wherever the engine has it — every Docker engine on Linux since 18.09, whatever
 * `/_ping` names as its default (20.10 says classic and builds with BuildKit when asked with
 * `version=2`) — and the classic builder for Podman (its API builds with Buildah) and Windows.
 */
export function chooseApiBuilder(
  found: EngineBuilder | undefined,
  options: { configured?: Builder | undefined; env: NodeJS.ProcessEnv },
): BuilderChoice {
  if (options.configured) return { builder: options.configured, reason: 'the config asks for it' };
  const fromEnv = builderFromEnvironment(options.env);
  if (fromEnv) return { builder: fromEnv, reason: `DOCKER_BUILDKIT=${options.env.DOCKER_BUILDKIT} is set` };
  const name = engineName(found);
  if (hasBuildKit(found)) return { builder: 'buildkit', reason: `${name} has BuildKit` };
  const why = found?.engine === 'podman' ? 'builds with Buildah' : 'builds Windows images';
  return { builder: 'classic', reason: `${name} ${why}` };
}

/**
 * Whether the engine has BuildKit (and its build cache): every Docker engine on Linux since 18.09;
 * not Podman (its API builds with Buildah), not Windows. An engine that does not answer `/_ping` is
 * taken for Docker.
 */
export function hasBuildKit(found: EngineBuilder | undefined): boolean {
  return found?.engine !== 'podman' && found?.os !== 'windows';
}

/** Asks the engine (one `/_ping`) and chooses; an engine that does not answer is taken for Docker. */
export async function apiBuilder(
  endpoint: EngineEndpoint | undefined,
  options: { configured?: Builder | undefined; env: NodeJS.ProcessEnv },
): Promise<BuilderChoice> {
  if (options.configured || builderFromEnvironment(options.env)) return chooseApiBuilder(undefined, options);
  return chooseApiBuilder(endpoint ? await engineBuilder(endpoint) : undefined, options);
}

/** One line for `butler build --verbose`: which builder, through what, and why. */
export function describeBuilder(choice: BuilderChoice): string {
  return `builder: ${choice.builder === 'buildkit' ? 'BuildKit' : 'the classic builder'} (${choice.reason})`;
}

function engineName(found: EngineBuilder | undefined): string {
  if (!found) return 'the engine';
  const name = found.engine === 'podman' ? 'Podman' : found.engine === 'docker' ? 'Docker' : 'the engine';
  return `${name}${found.version ? ` ${found.version}` : ''}`;
}
