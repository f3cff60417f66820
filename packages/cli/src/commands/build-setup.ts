import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { BuildSettings } from '@devops-butler/build-image';
import type { BuildRequest } from '@devops-butler/core';
import { BUILD_FLAGS, resolveBuildRequest } from '../build-request.js';
import type { ButlerConfig, ImageConfig } from '../config.js';
import type { CliIo } from '../io.js';
import { configFlag, loadConfig } from '../load-config.js';
import type { Verbosity } from '../output.js';
import { retentionWithImages } from '../retention-config.js';
import { UsageError } from '../usage-error.js';
import { durationFlag, parseCommandArgs } from './parse.js';

const FLAGS = {
  ...BUILD_FLAGS,
  force: { type: 'boolean' },
  'no-cleanup': { type: 'boolean' },
  concurrency: { type: 'string' },
  'remote-cache': { type: 'string' },
  'require-push': { type: 'boolean' },
  'lock-timeout': { type: 'string' },
  quiet: { type: 'boolean', short: 'q' },
  verbose: { type: 'boolean', short: 'v' },
  resolve: { type: 'boolean' },
} as const;

/** One build to run: an image of the config (named) or a folder. */
export interface BuildTarget {
  /** The image's name in the config; undefined for a plain folder build. */
  name: string | undefined;
  request: BuildRequest;
  /** How it is built: the image's config and the flags, as `runBuild` takes them. */
  settings: BuildSettings;
}

export interface BuildSetup {
  targets: BuildTarget[];
  config: ButlerConfig;
  json: boolean;
  /** How many images build at once. */
  concurrency: number;
  verbosity: Verbosity;
  /** `butler hash --resolve`: ask the engine for the builder and the base images' identities. */
  resolve: boolean;
}

/**
 * What `build`, `hash` and `why` share: parse the flags, print help, load the config, resolve what
 * to build. Arguments are image names from the config's `images`, or one folder; none means every
 * image of the config, else the current folder. Undefined means help was printed.
 */
export async function setUpBuild(
  args: string[],
  io: CliIo,
  command: 'build' | 'hash' | 'why',
  help: string,
): Promise<BuildSetup | undefined> {
  const { values, positionals } = parseCommandArgs(args, FLAGS, command);
  if (values.help) {
    io.stdout.write(`${help}\n`);
    return undefined;
  }
  if (command !== 'build' && values.force)
    throw new UsageError(`butler ${command} has no --force — it never builds`);
  if (command !== 'hash' && values.resolve)
    throw new UsageError(
      `butler ${command} has no --resolve — it is butler hash's (a build resolves anyway)`,
    );
  if (values.quiet && values.verbose) throw new UsageError('--quiet and --verbose contradict each other');
  const concurrency = values.concurrency === undefined ? undefined : Number(values.concurrency);
  if (concurrency !== undefined && !(Number.isInteger(concurrency) && concurrency >= 1)) {
    throw new UsageError(`--concurrency must be a whole number ≥ 1, not "${values.concurrency}"`);
  }
  const folderArg = positionals.length === 1 && isFolder(resolve(io.cwd, positionals[0] as string));
  const searchFrom = folderArg ? resolve(io.cwd, positionals[0] as string) : io.cwd;
  const { config, filepath } = await loadConfig(searchFrom, { command, env: io.env }, configFlag(values));
  const base = filepath ? dirname(filepath) : io.cwd;
  // A folder that is one of the config's image contexts builds as that image.
  const imageOfFolder = folderArg
    ? config.images?.find((image) => resolve(base, image.context) === searchFrom)
    : undefined;
  const images = imageOfFolder ? [imageOfFolder] : selectImages(config, positionals, folderArg, filepath);
  if (images && images.length > 1 && values.repo) {
    throw new UsageError(
      '--repo names one image; with several images, name them instead (butler build api web)',
    );
  }
  if (images && images.length > 1 && command !== 'build') {
    throw new UsageError(
      `butler ${command} takes one image: name one of ${images.map((i) => i.name).join(', ')}`,
    );
  }
  const lockTimeoutMs = lockTimeout(values['lock-timeout']);
  // The flags over one image's config: everything `runBuild` resolves its settings from.
  const settingsOf = (own: ButlerConfig): BuildSettings => ({
    backend: own.backend,
    builder: own.builder,
    plugins: own.plugins,
    replaceDefaultPlugins: own.replaceDefaultPlugins,
    retention: values['no-cleanup'] ? false : own.retention,
    remoteCache: own.remoteCache,
    remoteCacheFlag: values['remote-cache'],
    requirePush: values['require-push'] === true || own.requirePush === true,
    // The state folder follows from env (resolveBuildSettings).
    env: io.env,
    lockTimeoutMs,
  });
  const targets: BuildTarget[] = images
    ? await Promise.all(
        images.map(async (image) => {
          const own = imageConfig(config, image);
          return {
            name: image.name,
            request: await resolveBuildRequest(resolve(base, image.context), values, own, io.env, io.cwd),
            settings: settingsOf(own),
          };
        }),
      )
    : [
        {
          name: undefined,
          request: await resolveBuildRequest(searchFrom, values, config, io.env, io.cwd),
          settings: settingsOf(config),
        },
      ];
  return {
    targets,
    config,
    json: values.json === true,
    concurrency: concurrency ?? config.concurrency ?? 2,
    verbosity: values.quiet ? 'quiet' : values.verbose ? 'verbose' : 'normal',
    resolve: values.resolve === true,
  };
}

/** The config's images to build, or undefined for a plain folder build. */
function selectImages(
  config: ButlerConfig,
  positionals: string[],
  folderArg: boolean,
  filepath: string | undefined,
): ImageConfig[] | undefined {
  const images = config.images ?? [];
  if (folderArg || images.length === 0) {
    if (positionals.length > 1 || (positionals.length === 1 && !folderArg)) {
      const unknown = positionals.find((p) => !isFolder(p)) ?? positionals[0];
      throw new UsageError(
        images.length === 0
          ? `"${unknown}" is not a folder${filepath ? ` and ${filepath} declares no images` : ''}`
          : `give one folder, or image names (${images.map((i) => i.name).join(', ')})`,
      );
    }
    return undefined;
  }
  if (positionals.length === 0) return images;
  return positionals.map((name) => {
    const image = images.find((i) => i.name === name);
    if (!image) {
      throw new UsageError(
        `no image "${name}" in ${filepath} — its images: ${images.map((i) => i.name).join(', ')}`,
      );
    }
    return image;
  });
}

/** The config as one image sees it: the image's settings over the shared ones. */
function imageConfig(config: ButlerConfig, image: ImageConfig): ButlerConfig {
  return {
    ...config,
    repo: image.name,
    dockerfile: image.dockerfile ?? config.dockerfile,
    target: image.target ?? config.target,
    platform: image.platform ?? config.platform,
    buildArgs: { ...config.buildArgs, ...image.buildArgs },
    secrets: { ...config.secrets, ...image.secrets },
    retention: retentionWithImages(config),
  };
}

function lockTimeout(text: string | undefined): number | undefined {
  return text === undefined ? undefined : durationFlag('--lock-timeout', text);
}

function isFolder(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory();
}
