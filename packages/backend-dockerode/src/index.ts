import {
  type Butler,
  ButlerError,
  type ButlerPlugin,
  createContextTar,
  type EngineImageInspect,
  type ImageInfo,
  imageInfoFromInspect,
  imageMatchesTarget,
} from '@devops-butler/core';
import Docker from 'dockerode';
import { followBuild } from './build-stream.js';

export interface DockerodeOptions {
  /** A ready client; by default one from DOCKER_HOST or the default socket. */
  docker?: Docker;
  socketPath?: string;
}

const NAME = 'butler:dockerode';

/** Build backend on the Docker Engine API: lookup, build (streaming exactly the hashed files), tag. */
export function dockerode(options: DockerodeOptions = {}): ButlerPlugin {
  if (options.docker && options.socketPath) {
    throw new ButlerError('CONFIG_INVALID', 'dockerode(): pass either docker or socketPath, not both');
  }
  return {
    name: NAME,
    apply(butler: Butler) {
      const docker =
        options.docker ?? new Docker(options.socketPath ? { socketPath: options.socketPath } : undefined);
      const inspect = (ref: string) =>
        engine(() => docker.getImage(ref).inspect() as Promise<EngineImageInspect>);

      butler.hooks.hash.tapPromise(NAME, async (inputs, context) => {
        const images = { ...inputs.images };
        for (const { reference } of context.images) {
          images[reference] = (await inspect(reference))?.Id ?? 'missing';
        }
        return { ...inputs, images };
      });

      butler.hooks.lookup.tapPromise(NAME, async (target) => {
        const found = await inspect(target.reference);
        if (!found) return undefined;
        const info = imageInfoFromInspect(found, target.reference);
        return imageMatchesTarget(info, target) ? info : undefined;
      });

      butler.hooks.build.tapPromise(NAME, async (job): Promise<ImageInfo> => {
        const { context, target, labels } = job;
        const tar = createContextTar({
          context: context.request.context,
          files: context.files,
          dockerfilePath: context.dockerfilePath,
        });
        const stream = await engine(() =>
          docker.buildImage(tar.stream, {
            dockerfile: tar.dockerfile,
            buildargs: context.request.buildArgs,
            labels,
            rm: true,
            forcerm: true,
            ...(context.request.target ? { target: context.request.target } : {}),
            ...(context.request.platform ? { platform: context.request.platform } : {}),
          }),
        );
        if (!stream) throw new ButlerError('BUILD_FAILED', 'the engine refused the build request');
        const id = await followBuild(docker, stream, job.onOutput);
        const built = await inspect(id);
        if (!built)
          throw new ButlerError('BUILD_FAILED', `the engine reported image ${id} but does not have it`);
        return imageInfoFromInspect(built, target.reference);
      });

      butler.hooks.tag.tapPromise(NAME, async ({ image, target }) => {
        const repo = `${target.registry}/${target.repo}`;
        await engine(() => docker.getImage(image.id).tag({ repo, tag: target.tag }));
        await engine(() => docker.getImage(image.id).tag({ repo, tag: 'latest' }));
      });
    },
  };
}

/** Runs an engine call: 404 becomes undefined, a dead socket becomes one clear error. */
async function engine<T>(call: () => Promise<T>): Promise<T | undefined> {
  try {
    return await call();
  } catch (error) {
    const e = error as { statusCode?: number; code?: string; message?: string };
    if (e.statusCode === 404) return undefined;
    if (e.code === 'ENOENT' || e.code === 'ECONNREFUSED' || e.code === 'EACCES') {
      throw new ButlerError('ENGINE_UNREACHABLE', `cannot reach the Docker engine (${e.code})`, {
        cause: error,
        hint: 'start it (Debian: sudo bash scripts/docker-engine.sh) or set DOCKER_HOST',
      });
    }
    throw error;
  }
}
