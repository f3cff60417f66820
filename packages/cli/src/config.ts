import type { BackendName, PluginOption } from '@devops-butler/core';
import type { RetentionOptions } from '@devops-butler/plugin-retention';

/** What a `butler.config.ts` may set. Every field is optional: no config at all is fine. */
export interface ButlerConfig {
  /** Registry part of image names (default `local-registry`, which never leaves the engine). */
  registry?: string;
  /**
   * Share the cache through `registry`: reuse images from it and push builds to it (`true`, the
   * default when a registry is set), only one way (`'pull'`, `'push'`), or not at all (`false`).
   */
  remoteCache?: boolean | 'pull' | 'push';
  /** A failed push fails the build (default: a warning; the local image is good). */
  requirePush?: boolean;
  /** Repository name (default: the folder's name, normalised). */
  repo?: string;
  /** Dockerfile path relative to the context (default `Dockerfile`). */
  dockerfile?: string;
  buildArgs?: Record<string, string>;
  target?: string;
  platform?: string;
  /** Which build backend the default plugin set uses (default `dockerode`). */
  backend?: BackendName;
  /**
   * `buildkit` or `classic` (default: BuildKit wherever the engine or CLI has it; DOCKER_BUILDKIT=0|1
   * is honoured as docker honours it). Part of the hash: switching builders rebuilds.
   */
  builder?: 'buildkit' | 'classic';
  /**
   * Secrets builds may mount (`RUN --mount=type=secret,id=ID`): where each value is read from, a
   * file (relative to the build folder) or a variable of Butler's environment. Never hashed,
   * printed, labelled or stored; `--secret` adds to or replaces them.
   */
  secrets?: Record<string, { file: string; env?: undefined } | { env: string; file?: undefined }>;
  /** Plugins to add after the default set; falsy entries and nested arrays are fine. */
  plugins?: PluginOption[];
  /** Which images `butler gc` and the cleanup after each build remove; see docs/retention.md. */
  retention?: RetentionOptions;
  /** Replace the default plugin set entirely (then include a backend yourself). */
  replaceDefaultPlugins?: boolean;
  /** Several images from one config (a monorepo of services); `butler build` builds all or those named. */
  images?: ImageConfig[];
  /** How many images `butler build` builds at once (default 2). */
  concurrency?: number;
  /**
   * How `butler deploy --trust-config` runs this repository: `swarm: true` makes it a Swarm service
   * (as `--swarm`), with `replicas`, `healthCmd` and `publishMode`. Flags given to deploy win.
   */
  deploy?: DeployConfig;
}

/** The deploy section of a config (see docs/deploy.md). */
export interface DeployConfig {
  swarm?: boolean;
  replicas?: number;
  healthCmd?: string;
  publishMode?: 'ingress' | 'host';
  /**
   * Deploy to each of these engines (`ssh://deploy@app1`), one after the other, as Kamal does;
   * `address` is where that host publishes the ports (default: each `--port`'s address).
   */
  hosts?: (string | { host: string; address?: string })[];
}

/** One image of a multi-image config. Paths are relative to the config file's folder. */
export interface ImageConfig {
  /** Repository name; also what `butler build <name>` selects. */
  name: string;
  context: string;
  dockerfile?: string;
  target?: string;
  platform?: string;
  buildArgs?: Record<string, string>;
  /** This image's secrets, over the config's (see `ButlerConfig.secrets`). */
  secrets?: ButlerConfig['secrets'];
  /** How many of this image's builds retention keeps (like `retention.repos[name].keep`). */
  retention?: { keep?: number };
}

export interface ConfigEnv {
  command: string;
  env: NodeJS.ProcessEnv;
}

export type UserConfig =
  | ButlerConfig
  | Promise<ButlerConfig>
  | ((env: ConfigEnv) => ButlerConfig | Promise<ButlerConfig>);

/** Only adds types: `export default defineConfig({ ... })`. */
export function defineConfig(config: UserConfig): UserConfig {
  return config;
}
