import { readFile } from 'node:fs/promises';
import { relative, sep } from 'node:path';
import type { Readable } from 'node:stream';
import {
  type BuildJob,
  type Butler,
  ButlerError,
  type ButlerPlugin,
  type ContextSync,
  type ContextTransfer,
  contextSyncFor,
  contextTarFor,
  createPatternMatcher,
  type EngineImageInspect,
  frontendUnavailable,
  type ImageInfo,
  imageInfoFromInspect,
  missingSecretOrAgent,
  parseDockerignore,
  type ResolvedContext,
  readSecretValue,
  type SecretSource,
  type SshAgentSource,
  tapEngineImageHooks,
  unreachedByClassicWalk,
} from '@devops-butler/core';
import {
  type BuildSession,
  type EngineEndpoint,
  engineBuild,
  engineEndpoint,
  followBuildResponse,
  inspectImage,
  loadBuildkitDecoder,
  openBuildSession,
  tagImage,
  unreachable,
} from '@devops-butler/engine-client';
import type Docker from 'dockerode';
import { followBuild } from './build-stream.js';

export interface DockerodeOptions {
  /** A dockerode client to use instead of Butler's own engine client (which reaches DOCKER_HOST, contexts, ssh and TLS). */
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
      const engine = new EngineClient(options);

      // The classic builder's walk reaches less than BuildKit's: under it, send what it reaches.
      butler.hooks.resolveContext.tapPromise(NAME, async (context) => {
        // Through the session the Dockerfile travels on the side, as with docker build: no note.
        if (context.request.builder === 'buildkit')
          return engine.servesSessions ? context : withUploadedDockerfileNote(context);
        if (!context.ignoreFile) return context;
        const patterns = parseDockerignore(await readFile(context.ignoreFile, 'utf8'));
        const dockerfile = relative(context.request.context, context.dockerfilePath).split(sep).join('/');
        const unreached = new Set(unreachedByClassicWalk(context.files, patterns, [dockerfile]));
        if (unreached.size === 0) return context;
        const shown = [...unreached].slice(0, 3).join(', ') + (unreached.size > 3 ? ', …' : '');
        return {
          ...context,
          files: context.files.filter((file) => !unreached.has(file)),
          notes: [
            ...context.notes,
            `the classic builder does not enter ignored folders that no exception names, so ${unreached.size} entries that an exception re-includes (or their ignored folders) are not sent, as with docker build (${shown})`,
          ],
        };
      });

      tapEngineImageHooks(butler, NAME, {
        inspect: (reference) => engine.inspect(reference),
        tag: (id, repo, tag) => engine.tag(id, repo, tag),
      });

      butler.hooks.build.tapPromise(NAME, async (job): Promise<ImageInfo> => {
        const { context, target } = job;
        const buildkit = context.request.builder === 'buildkit';
        const secrets = context.request.secrets ?? [];
        const agents = context.request.ssh ?? [];
        if ((secrets.length > 0 || agents.length > 0) && !buildkit) {
          const what = [...secrets.map((s) => `secret ${s.id}`), ...agents.map((a) => `ssh ${a.id}`)];
          throw new ButlerError(
            'CONFIG_INVALID',
            `build secrets and SSH agents (${what.join(', ')}) reach the build only through BuildKit, and this build uses the classic builder`,
            { hint: "drop DOCKER_BUILDKIT=0 or builder: 'classic', or build on an engine with BuildKit" },
          );
        }
        const { id, transfer } =
          buildkit && engine.servesSessions
            ? await buildThroughSession(engine, job, butler.stateDir)
            : await buildFromTar(engine, job);
        const built = await engine.inspect(id);
        if (!built)
          throw new ButlerError('BUILD_FAILED', `the engine reported image ${id} but does not have it`);
        const image = imageInfoFromInspect(built, target.reference);
        return transfer ? { ...image, contextTransfer: transfer } : image;
      });
    },
  };
}

/** The build options both ways of sending the context share. */
function buildOptions(job: BuildJob) {
  const { request } = job.context;
  return {
    buildargs: request.buildArgs,
    ...(request.target ? { target: request.target } : {}),
    ...(request.platform ? { platform: request.platform } : {}),
  };
}

/**
 * BuildKit pulls the hashed files through the build's session, as it does from `docker build`:
 * after the first build of a folder, only the files whose stat moved travel. Secrets and SSH
 * agents are served on the same session.
 */
async function buildThroughSession(
  engine: EngineClient,
  job: BuildJob,
  stateDir: string,
): Promise<{ id: string; transfer: ContextTransfer }> {
  const sync = await contextSyncFor(job, stateDir || undefined);
  const session = await engine.openSession(
    job.context.request.secrets ?? [],
    job.context.request.ssh ?? [],
    sync,
  );
  const id = await engine
    .build(
      undefined,
      {
        ...buildOptions(job),
        dockerfile: sync.dockerfile,
        labels: job.labels,
        version: '2',
        session: session.id,
      },
      job.onOutput,
    )
    .catch((error: unknown) => {
      // A file that changed after hashing stops the sync; the engine only sees it cancelled.
      throw sync.failure() ?? frontendUnavailable(job, error) ?? missingSecretOrAgent(error) ?? error;
    })
    .finally(() => session.close());
  return { id, transfer: sync.transfer() };
}

/** The context as a tar: the classic builder, and a dockerode client passed in. */
async function buildFromTar(
  engine: EngineClient,
  job: BuildJob,
): Promise<{ id: string; transfer?: undefined }> {
  const { context } = job;
  const buildkit = context.request.builder === 'buildkit';
  const secrets = context.request.secrets ?? [];
  const agents = context.request.ssh ?? [];
  // Secrets travel through a BuildKit session the engine calls back into, read on request.
  // A Dockerfile that mounts secrets gets one even when none were given: BuildKit then skips
  // an optional mount and names a required one, instead of "no active sessions".
  const mountsSecrets = buildkit && /--mount=[^\s]*type=(secret|ssh)/.test(context.dockerfileText);
  const session =
    secrets.length > 0 || agents.length > 0 || mountsSecrets
      ? await engine.openSession(secrets, agents)
      : undefined;
  const tar = contextTarFor(job);
  const id = await engine
    .build(
      tar.stream,
      {
        ...buildOptions(job),
        dockerfile: tar.dockerfile,
        ...(tar.labelsInDockerfile ? {} : { labels: job.labels }),
        ...(buildkit ? { version: '2' as const } : {}),
        ...(session ? { session: session.id } : {}),
      },
      job.onOutput,
    )
    .catch((error: unknown) => {
      // The engine saw only a broken upload; the tar knows which file changed.
      throw tar.failure() ?? frontendUnavailable(job, error) ?? missingSecretOrAgent(error) ?? error;
    })
    .finally(() => session?.close());
  return { id };
}

/**
 * BuildKit over the Engine API reads the Dockerfile from the uploaded context, where every file is
 * one `COPY .` copies: a Dockerfile that .dockerignore leaves out (or that lives outside the
 * context) is then copied too, which docker build, sending it on the side, does not. Said once.
 */
async function withUploadedDockerfileNote(context: ResolvedContext): Promise<ResolvedContext> {
  const inside = relative(context.request.context, context.dockerfilePath).split(sep).join('/');
  const outside = inside.startsWith('../') || inside === '..';
  const ignored =
    !outside &&
    context.ignoreFile !== undefined &&
    createPatternMatcher(parseDockerignore(await readFile(context.ignoreFile, 'utf8')))(inside);
  if (!outside && !ignored) return context;
  return {
    ...context,
    notes: [
      ...context.notes,
      `the Dockerfile is not part of the context (${outside ? 'it lies outside it' : '.dockerignore leaves it out'}), but BuildKit over the Engine API reads it from the uploaded context: a COPY of the context root copies it too (docker build does not)`,
    ],
  };
}

/**
 * Inspect, build and tag through the engine client (unix, tcp, TLS, ssh: every endpoint docker
 * reaches), or through a dockerode client the caller passes in.
 */
class EngineClient {
  private readonly endpoint: EngineEndpoint | undefined;

  constructor(private readonly options: DockerodeOptions) {
    this.endpoint = options.docker
      ? undefined
      : options.socketPath
        ? { socketPath: options.socketPath }
        : engineEndpoint(process.env);
  }

  /** Butler's own client opens BuildKit sessions; a dockerode client passed in does not. */
  get servesSessions(): boolean {
    return this.endpoint !== undefined;
  }

  async dockerode(): Promise<Docker> {
    if (!this.options.docker) throw new ButlerError('PLUGIN_FAILED', 'no dockerode client was given');
    return this.options.docker;
  }

  /** A BuildKit session serving `secrets` (their values read only when the build asks), and the build's folders. */
  async openSession(
    secrets: readonly SecretSource[],
    agents: readonly SshAgentSource[],
    sync?: ContextSync,
  ): Promise<BuildSession> {
    if (!this.endpoint) {
      throw new ButlerError(
        'CONFIG_INVALID',
        'build secrets are not served through a dockerode client passed to dockerode()',
        { hint: 'leave the client out: Butler reaches the same engine itself, and serves the secrets' },
      );
    }
    return openBuildSession(this.endpoint, {
      secrets: secrets.map((source) => ({ id: source.id, read: () => readSecretValue(source) })),
      agents,
      folders: sync?.folders,
      sharedKey: sync?.sharedKey,
    });
  }

  async inspect(reference: string): Promise<EngineImageInspect | undefined> {
    if (this.endpoint) return inspectImage(this.endpoint, reference);
    const docker = await this.dockerode();
    return (docker.getImage(reference).inspect() as Promise<EngineImageInspect>).catch(
      (error: { statusCode?: number }) => {
        if (error.statusCode === 404) return undefined;
        throw unreachable(error as NodeJS.ErrnoException);
      },
    );
  }

  /** Builds from a context tar, or (no tar) from the folders the build's session serves; resolves with the image ID. */
  async build(
    tar: Readable | undefined,
    options: {
      dockerfile: string;
      buildargs: Record<string, string>;
      labels?: Record<string, string>;
      target?: string;
      platform?: string;
      /** `2`: BuildKit (the context is the uploaded tar; no session needed). */
      version?: '2';
      /** A BuildKit session serving the build's secrets. */
      session?: string;
    },
    onOutput: (line: string) => void,
  ): Promise<string> {
    if (this.endpoint) {
      const query = new URLSearchParams({ dockerfile: options.dockerfile, rm: '1', forcerm: '1' });
      if (options.version) query.set('version', options.version);
      if (options.session) query.set('session', options.session);
      // No tar: BuildKit reads the context and the Dockerfile from the session, as from docker build.
      if (!tar) query.set('remote', 'client-session');
      query.set('buildargs', JSON.stringify(options.buildargs));
      if (options.labels) query.set('labels', JSON.stringify(options.labels));
      if (options.target) query.set('target', options.target);
      if (options.platform) query.set('platform', options.platform);
      return followBuildResponse(await engineBuild(this.endpoint, query, tar), onOutput);
    }
    const docker = await this.dockerode();
    if (!tar)
      throw new ButlerError('PLUGIN_FAILED', 'a dockerode client passed in builds from a context tar only');
    const stream = await docker
      .buildImage(tar, { ...options, rm: true, forcerm: true })
      .catch((error: NodeJS.ErrnoException) => {
        throw unreachable(error);
      });
    return followBuild(docker, stream, onOutput, options.version ? await loadBuildkitDecoder() : undefined);
  }

  async tag(id: string, repo: string, tag: string): Promise<void> {
    if (this.endpoint) {
      await tagImage(this.endpoint, id, repo, tag);
      return;
    }
    const docker = await this.dockerode();
    await docker.getImage(id).tag({ repo, tag });
  }
}
