import { basename, resolve } from 'node:path';
import {
  assertRepoName,
  DEFAULT_DOCKERFILE,
  repoNameFrom,
  resolveRegistry,
  toRequest,
} from '@devops-butler/core';
import type { BuildSettings } from './resolve-build-settings.js';
import { type BuildCallbacks, type RunBuildResult, runBuild } from './run-build.js';

/** What `buildImage` takes besides the folder: the request's parts, then how the build is assembled. */
export interface BuildImageOptions extends BuildSettings, BuildCallbacks {
  /** Dockerfile path relative to the folder (default `Dockerfile`). */
  dockerfile?: string | undefined;
  /** Repository name (default: the folder's name, normalised). */
  repo?: string | undefined;
  /** Registry part of the image name (default: BUTLER_REGISTRY, else `local-registry`). */
  registry?: string | undefined;
  buildArgs?: Record<string, string> | undefined;
  target?: string | undefined;
  platform?: string | undefined;
  /** Extra labels (not hashed): source, revision. */
  labels?: Record<string, string> | undefined;
}

/**
 * Builds the image of a folder, or reuses it when nothing that goes into it changed, exactly as
 * `butler build` does — recorded in the state store, with retention afterwards. The original
 * tool's `docker_build(container_name, repo_dir, force_rebuild=True)` is
 * `buildImage(repoDir, { repo: containerName, forceRebuild: true })`.
 */
export async function buildImage(dir: string, options: BuildImageOptions = {}): Promise<RunBuildResult> {
  const env = options.env ?? process.env;
  const context = resolve(dir);
  const repo = options.repo ?? repoNameFrom(basename(context));
  assertRepoName(repo);
  const request = toRequest({
    context,
    dockerfile: options.dockerfile ?? DEFAULT_DOCKERFILE,
    registry: resolveRegistry(options.registry, env),
    repo,
    buildArgs: options.buildArgs ?? {},
    target: options.target,
    platform: options.platform,
    labels: options.labels ?? {},
  });
  return runBuild(request, options);
}
