import {
  ButlerError,
  type ButlerPlugin,
  type ImageInfo,
  type ImageTarget,
  imageMatchesTarget,
  type ResolvedContext,
} from '@devops-butler/core';
import { engineEndpoint, NOT_FOUND, type RemoteManifest } from '@devops-butler/engine-client';
import {
  knownInRegistry,
  recentlyUnreachable,
  rememberInRegistry,
  rememberUnreachable,
} from './registry-known.js';
import { parseRegistry } from './registry-name.js';
import { cliTransport, engineTransport, type RegistryTransport } from './transports.js';

export type RemoteCacheMode = 'both' | 'pull' | 'push';

/** What `--json` reports of the shared cache's messages (from the plugin's log entries). */
export interface RemoteCacheMessage {
  /** `debug`: shown with --verbose (measurements, like the push window). */
  level: 'info' | 'warning' | 'debug';
  text: string;
  data?: Record<string, unknown> | undefined;
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
 * `:{hash12}` and `:latest` unless another machine pushed that hash first (then its image is used
 * here too); a local hit fills a registry that lacks the image, once. A registry that cannot be
 * reached, or answers with an error, costs a local build and a warning.
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
      // Every engine docker reaches is reached by the engine client (or by the docker CLI).
      const transport: RegistryTransport =
        options.via === 'docker-cli'
          ? cliTransport(env)
          : engineTransport(
              options.socketPath ? { socketPath: options.socketPath } : engineEndpoint(env),
              env,
            );
      // Targets whose lookup could not use the registry (unreachable, or refused): one warning covers the push too.
      const unusable = new Map<string, string>();

      /** Unreachable or refused: a warning (the build goes on locally); anything else is thrown. */
      const registryTrouble = (error: unknown, host: string, target: ImageTarget, then: string): void => {
        const refused = ButlerError.isInstance(error) && error.code === 'REGISTRY_REFUSED';
        if (!refused && !(ButlerError.isInstance(error) && error.code === 'REGISTRY_UNREACHABLE'))
          throw error;
        unusable.set(target.reference, refused ? 'refused access' : 'cannot be reached');
        warn(
          refused
            ? `the registry ${host} refused access (${(error as Error).message}) — log in with docker login ${host}; ${then}`
            : `the registry ${host} cannot be reached (${(error as Error).message}); ${then}`,
        );
      };
      /** What the registry holds for the target; undefined (said in a warning) when it cannot be asked. */
      const askRegistry = async (
        target: ImageTarget,
        then: string,
      ): Promise<RemoteManifest | typeof NOT_FOUND | undefined> => {
        try {
          return await transport.inspectRemote(target);
        } catch (error) {
          registryTrouble(error, parseRegistry(target.registry).host, target, then);
          return undefined;
        }
      };
      // Targets whose registry copy must not be pushed over (another machine's, kept apart).
      const keepRegistryCopy = new Set<string>();
      // When the registry last said it lacked a target: the start of the window another push can hit.
      const checked = new Map<string, number>();

      butler.hooks.lookup.tapPromise({ name: NAME, stage: AFTER_BACKEND }, async (target, context) => {
        if (mode === 'push') return undefined;
        const remote = await askRegistry(target, 'building locally, not pushing');
        if (remote === undefined || remote === NOT_FOUND) return undefined;
        const pulled = await pullMatching(target, context, remote, 'building');
        return pulled && { ...pulled, origin: 'registry' as const };
      });

      /** Pulls the registry's image for the target when it is for this platform and its full hash agrees. */
      const pullMatching = async (
        target: ImageTarget,
        context: ResolvedContext,
        remote: RemoteManifest,
        otherwise: string,
      ): Promise<ImageInfo | undefined> => {
        const { host } = parseRegistry(target.registry);
        const wanted = context.request.platform ?? (await transport.enginePlatform());
        if (remote.platforms.length > 0 && !remote.platforms.some((p) => samePlatform(p, wanted))) {
          log.info(
            `${target.reference} in the registry is for ${remote.platforms.join(', ')}, not ${wanted}; ${otherwise}`,
          );
          return undefined;
        }
        log.info(`⬇️ Pulling ${target.reference} (${wanted}) from ${host}...`);
        try {
          await transport.pull(target, context.request.platform, (text) => log.progress(text));
        } catch (error) {
          // The engine tags a pulled image only once every layer is in: a pull cut off midway
          // leaves no tag on a partial image.
          warn(`${(error as Error).message}; ${otherwise}`);
          return undefined;
        }
        const image = await transport.localImage(target.reference);
        // The tag is the first 12 hex digits of the hash: the full hash on the label must agree.
        if (!image || !imageMatchesTarget(image, target)) {
          warn(`${target.reference} in the registry has another content hash; not used, ${otherwise}`);
          return undefined;
        }
        rememberInRegistry(butler.stateDir, target.reference, image.id);
        return image;
      };

      // First writer wins: most builds are not bit-for-bit reproducible, so two machines that built
      // the same hash hold two different images. Just before pushing, the registry is asked again;
      // when another machine got there first, its image is pulled and tagged here instead, and this
      // machine's own build is removed — every machine then runs the one image the tag names.
      butler.hooks.built.tapPromise(
        { name: NAME, stage: AFTER_BACKEND },
        async (image, { target, context, outcome }) => {
          if (outcome !== 'built' || mode === 'pull' || unusable.has(target.reference)) return image;
          const { host } = parseRegistry(target.registry);
          const remote = await askRegistry(target, 'not pushing');
          if (remote === undefined) return image;
          if (remote === NOT_FOUND) {
            checked.set(target.reference, performance.now());
            return image;
          }
          keepRegistryCopy.add(target.reference);
          if (mode === 'push') {
            log.info(
              `${target.reference} is in ${host} already (another machine pushed it first); not pushed over`,
            );
            return image;
          }
          const adopted = await pullMatching(
            target,
            context,
            remote,
            "keeping this machine's build, not pushing over the registry's",
          );
          if (!adopted) return image;
          if (adopted.id !== image.id) await transport.discard(image.id);
          log.info(`♻️ Another machine pushed ${target.reference} first; using it`);
          return { ...adopted, origin: 'registry' as const };
        },
      );

      butler.hooks.tag.tapPromise(
        { name: NAME, stage: AFTER_BACKEND },
        async ({ image, target, outcome }) => {
          if (mode === 'pull' || image.origin === 'registry') return;
          if (outcome === 'reused') return fillRegistry(image, target);
          const { host } = parseRegistry(target.registry);
          const notPushed = (why: string) => {
            if (options.requirePush) {
              throw new ButlerError('PUSH_FAILED', why, {
                hint: 'the image is built and tagged locally; fix access to the registry and build again',
              });
            }
            warn(`${why}; the local image is fine (--require-push makes this fail the build)`);
          };
          const unusableBecause = unusable.get(target.reference);
          if (unusableBecause) {
            // Said once already, at lookup; only --require-push turns it into a failure here.
            if (options.requirePush) {
              notPushed(`the registry ${host} ${unusableBecause}; ${target.reference} was not pushed`);
            }
            return;
          }
          if (keepRegistryCopy.has(target.reference)) return;
          // A forced rebuild is the one exception to first-writer-wins: it replaces the registry's image.
          const replacing =
            outcome === 'forced' &&
            (await transport.inspectRemote(target).catch(() => NOT_FOUND)) !== NOT_FOUND;
          try {
            const pushed = await transport.push(target, target.tag, (text) => log.progress(text));
            if (outcome === 'built') await sameInstant(target, pushed);
            await transport.push(target, 'latest', (text) => log.progress(text));
            rememberInRegistry(butler.stateDir, target.reference, image.id);
            log.info(
              replacing
                ? `⬆️ Forced rebuild: replaced ${target.reference} in ${host} with this build, and pushed :latest`
                : `⬆️ Pushed ${target.reference} and :latest to ${host}`,
            );
          } catch (error) {
            notPushed((error as Error).message);
          }
        },
      );

      /**
       * The race first-writer-wins leaves: two machines that asked the registry before either had
       * pushed both push. Asked again right after the push, the registry names the later one; the
       * earlier machine keeps its own equal build and says so (the window is measured in the bench).
       */
      const sameInstant = async (target: ImageTarget, pushed: string | undefined): Promise<void> => {
        const checkedAt = checked.get(target.reference);
        if (checkedAt !== undefined) {
          const windowMs = Math.round(performance.now() - checkedAt);
          log.debug(`pushed ${target.reference} ${windowMs} ms after the registry said it lacked it`, {
            windowMs,
          });
        }
        if (!pushed) return;
        const now = await transport.inspectRemote(target).catch((): typeof NOT_FOUND => NOT_FOUND);
        if (now !== NOT_FOUND && now.digest !== pushed) {
          warn(
            `another machine pushed ${target.reference} in the same instant: the registry names its image (${now.digest.slice(7, 19)}); this machine keeps its own build of the same inputs`,
          );
        }
      };

      /**
       * A local hit on an image the registry lacks (built before the registry was set, or while it
       * was down) pushes it: once — afterwards this machine remembers the registry has it. Only
       * the hash tag: a hit on an older version must not move the registry's latest back.
       */
      const fillRegistry = async (image: ImageInfo, target: ImageTarget): Promise<void> => {
        if (knownInRegistry(butler.stateDir, target.reference, image.id)) return;
        const { host } = parseRegistry(target.registry);
        if (recentlyUnreachable(butler.stateDir, host)) return;
        try {
          if ((await transport.inspectRemote(target)) === NOT_FOUND) {
            await transport.push(target, target.tag, (text) => log.progress(text));
            log.info(`⬆️ ${host} lacked ${target.reference}: pushed it`);
          }
          rememberInRegistry(butler.stateDir, target.reference, image.id);
        } catch (error) {
          // A hit needs no registry: say it, quietly, and try again in a while (not on every hit:
          // an unreachable registry can take seconds to say so).
          rememberUnreachable(butler.stateDir, host);
          log.info(`${target.reference} not filled into ${host}: ${(error as Error).message}`);
        }
      };
    },
  };
}

/** `linux/arm64` matches `linux/arm64/v8`; a variant given on both sides must agree. */
export function samePlatform(a: string, b: string): boolean {
  const [osA, archA, variantA] = a.split('/');
  const [osB, archB, variantB] = b.split('/');
  return osA === osB && archA === archB && (!variantA || !variantB || variantA === variantB);
}
