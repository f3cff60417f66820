import { ButlerError, type ButlerPlugin, imageMatchesTarget } from '@devops-butler/core';
import { plainEndpoint } from '@devops-butler/engine-client';
import { NOT_FOUND, type RemoteManifest } from './engine-registry.js';
import { parseRegistry } from './registry-name.js';
import { cliTransport, engineTransport, type RegistryTransport } from './transports.js';

export type RemoteCacheMode = 'both' | 'pull' | 'push';

/** What `--json` reports of the shared cache's messages (from the plugin's log entries). */
export interface RemoteCacheMessage {
  level: 'info' | 'warning';
  text: string;
}

export interface RemoteCacheOptions {
  /** `both` (default): reuse from the registry and push what was built; `pull` or `push` only one way. */
  mode?: RemoteCacheMode;
  /** A failed push fails the build (default: a warning — the local image is good). */
  requirePush?: boolean;
  /**
   * `engine` (default): the Engine API pulls and pushes; `docker-cli`: the `docker` CLI does (for
   * the docker-cli backend: ssh:// engines, contexts — the CLI finds its own credentials).
   */
  via?: 'engine' | 'docker-cli';
  env?: NodeJS.ProcessEnv;
  socketPath?: string;
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

  return {
    name: NAME,
    apply(butler) {
      // Progress and warnings go to Butler's logger; the CLI decides how they look.
      const log = butler.getLogger(NAME);
      const warn = (text: string) => log.warn(text);
      const endpoint = options.via === 'docker-cli' ? undefined : plainEndpoint(env, options.socketPath);
      const transport: RegistryTransport | undefined =
        options.via === 'docker-cli' ? cliTransport(env) : endpoint && engineTransport(endpoint, env);
      const noTransport =
        'the registry cache needs the engine on a unix socket or plain tcp DOCKER_HOST (or backend: docker-cli)';
      // Targets whose lookup could not use the registry (unreachable, or refused): one warning covers the push too.
      const unusable = new Map<string, string>();

      butler.hooks.lookup.tapPromise({ name: NAME, stage: AFTER_BACKEND }, async (target, context) => {
        if (mode === 'push') return undefined;
        if (!transport) {
          warn(`${noTransport}; not asked`);
          return undefined;
        }
        const { host } = parseRegistry(target.registry);
        let remote: RemoteManifest | typeof NOT_FOUND;
        try {
          remote = await transport.inspectRemote(target);
        } catch (error) {
          const refused = ButlerError.isInstance(error) && error.code === 'REGISTRY_REFUSED';
          if (!refused && !(ButlerError.isInstance(error) && error.code === 'REGISTRY_UNREACHABLE'))
            throw error;
          unusable.set(target.reference, refused ? 'refused access' : 'cannot be reached');
          warn(
            refused
              ? `the registry ${host} refused access (${(error as Error).message}) — log in with docker login ${host}; building locally, not pushing`
              : `the registry ${host} cannot be reached (${(error as Error).message}); building locally, not pushing`,
          );
          return undefined;
        }
        if (remote === NOT_FOUND) return undefined;
        const wanted = context.request.platform ?? (await transport.enginePlatform());
        if (remote.platforms.length > 0 && !remote.platforms.some((p) => samePlatform(p, wanted))) {
          log.info(
            `${target.reference} in the registry is for ${remote.platforms.join(', ')}, not ${wanted}; building`,
          );
          return undefined;
        }
        log.info(`⬇️ Pulling ${target.reference} (${wanted}) from ${host}...`);
        try {
          await transport.pull(target, context.request.platform);
        } catch (error) {
          warn(`${(error as Error).message}; building locally`);
          return undefined;
        }
        const image = await transport.localImage(target.reference);
        // The tag is the first 12 hex digits of the hash: the full hash on the label must agree.
        if (!image || !imageMatchesTarget(image, target)) {
          warn(`${target.reference} in the registry has another content hash; not reused, building`);
          return undefined;
        }
        return { ...image, origin: 'registry' as const };
      });

      butler.hooks.tag.tapPromise({ name: NAME, stage: AFTER_BACKEND }, async ({ target, outcome }) => {
        if (outcome === 'reused' || mode === 'pull') return;
        const { host } = parseRegistry(target.registry);
        const notPushed = (why: string) => {
          if (options.requirePush) {
            throw new ButlerError('PUSH_FAILED', why, {
              hint: 'the image is built and tagged locally; fix access to the registry and build again',
            });
          }
          warn(`${why}; the local image is fine (--require-push makes this fail the build)`);
        };
        if (!transport) return notPushed(`${noTransport}; ${target.reference} was not pushed`);
        const unusableBecause = unusable.get(target.reference);
        if (unusableBecause) {
          // Said once already, at lookup; only --require-push turns it into a failure here.
          if (options.requirePush) {
            notPushed(`the registry ${host} ${unusableBecause}; ${target.reference} was not pushed`);
          }
          return;
        }
        try {
          await transport.push(target, target.tag);
          await transport.push(target, 'latest');
          log.info(`⬆️ Pushed ${target.reference} and :latest to ${host}`);
        } catch (error) {
          notPushed((error as Error).message);
        }
      });
    },
  };
}

/** `linux/arm64` matches `linux/arm64/v8`; a variant given on both sides must agree. */
export function samePlatform(a: string, b: string): boolean {
  const [osA, archA, variantA] = a.split('/');
  const [osB, archB, variantB] = b.split('/');
  return osA === osB && archA === archB && (!variantA || !variantB || variantA === variantB);
}
