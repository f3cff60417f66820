import { execFile } from 'node:child_process';
import {
  type EngineImageInspect,
  type ImageInfo,
  type ImageTarget,
  imageInfoFromInspect,
} from '@devops-butler/core';
import {
  deleteImageReference,
  type EngineEndpoint,
  enginePlatform,
  inspectImage,
  inspectRemote,
  NOT_FOUND,
  pull,
  push,
  type RemoteManifest,
  registryError,
} from '@devops-butler/engine-client';
import { credentialsFor, registryAuthHeader } from './credentials.js';
import { RegistryClient } from './registry-client.js';
import { parseRegistry, repositoryPath } from './registry-name.js';

/** How the cache reaches the registry and the engine: one implementation per build backend. */
export interface RegistryTransport {
  /** What the registry holds under the target's tag; NOT_FOUND; throws REGISTRY_UNREACHABLE or REGISTRY_REFUSED. */
  inspectRemote(target: ImageTarget): Promise<RemoteManifest | typeof NOT_FOUND>;
  pull(target: ImageTarget, platform: string | undefined, onProgress?: (text: string) => void): Promise<void>;
  /** Resolves with the manifest digest the registry took, when the transport learns it. */
  push(target: ImageTarget, tag: string, onProgress?: (text: string) => void): Promise<string | undefined>;
  localImage(reference: string): Promise<ImageInfo | undefined>;
  /** Removes an image this run built and set aside (never forced; an image in use stays). */
  discard(id: string): Promise<void>;
  /** The engine's own `os/arch`: what a pull without a platform fetches. */
  enginePlatform(): Promise<string>;
}

const repoOf = (target: ImageTarget) => `${target.registry}/${target.repo}`;

/** Everything through the Engine API; the engine asks the registry with the user's credentials. */
export function engineTransport(endpoint: EngineEndpoint, env: NodeJS.ProcessEnv): RegistryTransport {
  const credentials = credentialsOnce(env);
  const auth = async (target: ImageTarget) => {
    const { host } = parseRegistry(target.registry);
    return registryAuthHeader(host, await credentials(host));
  };
  return {
    inspectRemote: async (target) => inspectRemote(endpoint, target.reference, await auth(target)),
    pull: async (target, platform, onProgress) =>
      pull(endpoint, repoOf(target), target.tag, platform, await auth(target), onProgress),
    push: async (target, tag, onProgress) =>
      push(endpoint, repoOf(target), tag, await auth(target), onProgress),
    localImage: async (reference) => {
      const found = await inspectImage(endpoint, reference);
      return found && imageInfoFromInspect(found, reference);
    },
    discard: async (id) => {
      await deleteImageReference(endpoint, id).catch(() => undefined);
    },
    enginePlatform: () => enginePlatform(endpoint),
  };
}

/**
 * Through the `docker` CLI (the docker-cli backend: ssh:// engines, contexts): `docker pull` and
 * `docker push` find the credentials themselves, helpers included. The registry is asked over its
 * HTTP API with the same credentials, since the CLI has no structured answer for "is this tag there".
 */
export function cliTransport(env: NodeJS.ProcessEnv, binary = 'docker'): RegistryTransport {
  const credentials = credentialsOnce(env);
  const docker = (args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(binary, args, { env, maxBuffer: 16 << 20 }, (error, stdout, stderr) =>
        resolve({ code: error ? Number((error as { code?: number }).code ?? 1) || 1 : 0, stdout, stderr }),
      );
    });
  const failed = (what: string, stderr: string) =>
    registryError(`${what}: ${stderr.trim().split('\n').at(-1) ?? 'docker failed'}`);
  return {
    inspectRemote: async (target) => {
      const location = parseRegistry(target.registry);
      const client = new RegistryClient(location, await credentials(location.host));
      const path = repositoryPath(location, target.repo);
      const manifest = await client.manifest(path, target.tag);
      if (!manifest) return NOT_FOUND;
      const platforms = manifest.manifests
        ? manifest.manifests.flatMap((m) =>
            m.platform
              ? [[m.platform.os, m.platform.architecture, m.platform.variant].filter(Boolean).join('/')]
              : [],
          )
        : manifest.config
          ? [(await client.imageConfig(path, manifest.config.digest)).platform].filter(Boolean)
          : [];
      return { digest: manifest.digest, mediaType: manifest.mediaType, platforms };
    },
    pull: async (target, platform) => {
      const r = await docker(['pull', '-q', ...(platform ? ['--platform', platform] : []), target.reference]);
      if (r.code !== 0) throw failed(`pulling ${target.reference}`, r.stderr);
    },
    push: async (target, tag) => {
      const r = await docker(['push', '-q', `${repoOf(target)}:${tag}`]);
      if (r.code !== 0) throw failed(`pushing ${repoOf(target)}:${tag}`, r.stderr);
      return undefined;
    },
    localImage: async (reference) => {
      const r = await docker(['image', 'inspect', '--format', '{{json .}}', reference]);
      if (r.code !== 0) return undefined;
      return imageInfoFromInspect(JSON.parse(r.stdout) as EngineImageInspect, reference);
    },
    discard: async (id) => {
      await docker(['image', 'rm', id]);
    },
    enginePlatform: async () => {
      const r = await docker(['version', '--format', '{{.Server.Os}}/{{.Server.Arch}}']);
      return r.code === 0 && r.stdout.trim() ? r.stdout.trim() : 'linux/amd64';
    },
  };
}

/**
 * Credentials per host, looked up once per transport: a lookup, a pull and two pushes would
 * otherwise read the docker config and run a credential helper (a process, often a network call)
 * four times for one build.
 */
function credentialsOnce(env: NodeJS.ProcessEnv) {
  const found = new Map<string, ReturnType<typeof credentialsFor>>();
  return (host: string) => {
    let entry = found.get(host);
    if (!entry) {
      entry = credentialsFor(host, env);
      found.set(host, entry);
    }
    return entry;
  };
}
