import {
  type EngineEndpoint,
  engineError,
  engineRequest,
  plainEndpoint,
} from '@devops-butler/backend-dockerode';
import {
  ButlerError,
  type ButlerPlugin,
  type EngineImageInspect,
  type ImageTarget,
  imageInfoFromInspect,
  imageMatchesTarget,
} from '@devops-butler/core';
import { credentialsFor, registryAuthHeader } from './credentials.js';
import { inspectRemote, NOT_FOUND, pull, push } from './engine-registry.js';
import { parseRegistry } from './registry-name.js';

export type RemoteCacheMode = 'both' | 'pull' | 'push';

export interface RemoteCacheMessage {
  level: 'info' | 'warning';
  text: string;
}

export interface RemoteCacheOptions {
  /** `both` (default): reuse from the registry and push what was built; `pull` or `push` only one way. */
  mode?: RemoteCacheMode;
  /** A failed push fails the build (default: a warning — the local image is good). */
  requirePush?: boolean;
  env?: NodeJS.ProcessEnv;
  socketPath?: string;
  /** Progress and warnings (the CLI prints them); default: warnings to stderr. */
  onMessage?: (message: RemoteCacheMessage) => void;
}

const NAME = 'butler:remote-cache';
/** After the backend's own taps: the engine is asked first, the registry only on a local miss. */
const AFTER_BACKEND = 100;

/**
 * Shares the cache through the registry in the image names (`registry: 'host:port/team'`): a local
 * miss asks the registry for `{repo}:{hash12}` and pulls it instead of building; a build pushes
 * `:{hash12}` and `:latest`. A registry that cannot be reached costs a local build and a warning.
 */
export function remoteCache(options: RemoteCacheOptions = {}): ButlerPlugin {
  const mode = options.mode ?? 'both';
  if (!['both', 'pull', 'push'].includes(mode)) {
    throw new ButlerError('CONFIG_INVALID', `remoteCache: mode must be both, pull or push, not "${mode}"`);
  }
  const env = options.env ?? process.env;
  const say =
    options.onMessage ??
    ((message: RemoteCacheMessage) => {
      if (message.level === 'warning') process.stderr.write(`⚠️ ${message.text}\n`);
    });
  const warn = (text: string) => say({ level: 'warning', text });

  return {
    name: NAME,
    apply(butler) {
      const endpoint = plainEndpoint(env, options.socketPath);
      // Targets whose lookup found the registry unreachable: one warning covers the push too.
      const unreachable = new Set<string>();
      const authFor = async (target: ImageTarget) => {
        const { host } = parseRegistry(target.registry);
        return { host, auth: registryAuthHeader(host, await credentialsFor(host, env)) };
      };

      butler.hooks.lookup.tapPromise({ name: NAME, stage: AFTER_BACKEND }, async (target, context) => {
        if (mode === 'push') return undefined;
        if (!endpoint) {
          warn('the registry cache needs the engine on a unix socket or plain tcp DOCKER_HOST; not asked');
          return undefined;
        }
        const { host, auth } = await authFor(target);
        let remote: Awaited<ReturnType<typeof inspectRemote>>;
        try {
          remote = await inspectRemote(endpoint, target.reference, auth);
        } catch (error) {
          if (!ButlerError.isInstance(error) || error.code !== 'REGISTRY_UNREACHABLE') throw error;
          unreachable.add(target.reference);
          warn(`the registry ${host} cannot be reached (${error.message}); building locally, not pushing`);
          return undefined;
        }
        if (remote === NOT_FOUND) return undefined;
        const wanted = context.request.platform ?? (await enginePlatform(endpoint));
        if (remote.platforms.length > 0 && !remote.platforms.some((p) => samePlatform(p, wanted))) {
          say({
            level: 'info',
            text: `${target.reference} in the registry is for ${remote.platforms.join(', ')}, not ${wanted}; building`,
          });
          return undefined;
        }
        say({ level: 'info', text: `⬇️ Pulling ${target.reference} (${wanted}) from ${host}...` });
        try {
          await pull(
            endpoint,
            `${target.registry}/${target.repo}`,
            target.tag,
            context.request.platform,
            auth,
          );
        } catch (error) {
          warn(`${(error as Error).message}; building locally`);
          return undefined;
        }
        const image = await inspectLocal(endpoint, target.reference);
        // The tag is the first 12 hex digits of the hash: the full hash on the label must agree.
        if (!image || !imageMatchesTarget(image, target)) {
          warn(`${target.reference} in the registry has another content hash; not reused, building`);
          return undefined;
        }
        return { ...image, origin: 'registry' as const };
      });

      butler.hooks.tag.tapPromise({ name: NAME, stage: AFTER_BACKEND }, async ({ target, outcome }) => {
        if (outcome === 'reused' || mode === 'pull') return;
        if (!endpoint) {
          warn('pushing needs the engine on a unix socket or plain tcp DOCKER_HOST; not pushed');
          return;
        }
        const { host, auth } = await authFor(target);
        const repo = `${target.registry}/${target.repo}`;
        if (unreachable.has(target.reference)) {
          if (!options.requirePush) return;
          throw new ButlerError(
            'PUSH_FAILED',
            `the registry ${host} cannot be reached; ${target.reference} was not pushed`,
            {
              hint: 'the image is built and tagged locally; fix access to the registry and build again',
            },
          );
        }
        try {
          await push(endpoint, repo, target.tag, auth);
          await push(endpoint, repo, 'latest', auth);
          say({ level: 'info', text: `⬆️ Pushed ${target.reference} and :latest to ${host}` });
        } catch (error) {
          const message = (error as Error).message;
          if (options.requirePush) {
            throw new ButlerError('PUSH_FAILED', `${message}`, {
              hint: 'the image is built and tagged locally; fix access to the registry and build again',
            });
          }
          warn(`${message}; the local image is fine (--require-push makes this fail the build)`);
        }
      });
    },
  };
}

async function inspectLocal(endpoint: EngineEndpoint, reference: string) {
  const found = await engineRequest(endpoint, 'GET', `/images/${encodeURIComponent(reference)}/json`);
  if (found.status === 404) return undefined;
  if (found.status !== 200) throw engineError(found.status, found.body);
  return imageInfoFromInspect(found.body as EngineImageInspect, reference);
}

/** The engine's own platform (`linux/amd64`): what a pull without --platform fetches. */
async function enginePlatform(endpoint: EngineEndpoint): Promise<string> {
  const { body } = await engineRequest(endpoint, 'GET', '/version');
  const { Os, Arch } = body as { Os?: string; Arch?: string };
  return `${Os ?? 'linux'}/${Arch ?? 'amd64'}`;
}

/** `linux/arm64` matches `linux/arm64/v8`; a variant given on both sides must agree. */
export function samePlatform(a: string, b: string): boolean {
  const [osA, archA, variantA] = a.split('/');
  const [osB, archB, variantB] = b.split('/');
  return osA === osB && archA === archB && (!variantA || !variantB || variantA === variantB);
}
