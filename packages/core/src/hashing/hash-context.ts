import { DEFAULT_DOCKERFILE, DEFAULT_REGISTRY } from '../image/image-name.js';
import { Butler } from '../kernel/butler.js';
import type { PluginOption } from '../kernel/plugin.js';
import type { Builder, BuildRequest, HashedContext, HashInputs } from '../kernel/types.js';

export interface HashContextOptions {
  context: string;
  dockerfile?: string;
  buildArgs?: Record<string, string>;
  target?: string;
  platform?: string;
  registry?: string;
  repo?: string;
  /** The builder that will build (its rules alone apply; undefined: what either would read). */
  builder?: Builder | undefined;
  /** Plugins that add hash inputs (a backend resolves base image identities; without one they are left out). */
  plugins?: readonly PluginOption[];
  /** Where the stat cache lives; none by default, so a library call leaves no files behind. */
  stateDir?: string;
}

/** Computes the content hash of a build's inputs: `{ digest, tag, inputs }`. */
export async function hashContext(
  options: HashContextOptions,
): Promise<{ digest: string; tag: string; inputs: HashInputs; hashed: HashedContext }> {
  const butler = new Butler({ plugins: options.plugins ?? [], stateDir: options.stateDir ?? '' });
  const hashed = await butler.hash(toRequest(options));
  return { digest: hashed.digest, tag: hashed.target.tag, inputs: hashed.inputs, hashed };
}

/** Fills a build request's defaults. */
export function toRequest(options: Partial<BuildRequest> & { context: string }): BuildRequest {
  return {
    context: options.context,
    dockerfile: options.dockerfile ?? DEFAULT_DOCKERFILE,
    registry: options.registry ?? DEFAULT_REGISTRY,
    repo: options.repo ?? 'app',
    buildArgs: options.buildArgs ?? {},
    target: options.target,
    platform: options.platform,
    force: options.force ?? false,
    labels: options.labels ?? {},
    ...(options.builder ? { builder: options.builder } : {}),
    ...(options.secrets?.length ? { secrets: options.secrets } : {}),
    ...(options.ssh?.length ? { ssh: options.ssh } : {}),
  };
}
