import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runBuild } from '@devops-butler/build-image';
import {
  assertRepoName,
  type BuildRequest,
  type BuildResult,
  ButlerError,
  configFileIn,
  DEFAULT_DOCKERFILE,
  LABELS,
  type Logger,
  resolveRegistry,
  toRequest,
} from '@devops-butler/core';
import type { RetentionOptions } from '@devops-butler/plugin-retention';
import type { DeployOptions, RepositoryConfig } from './deploy-options.js';
import { checkout } from './shared/checkout.js';
import type { DeploySource } from './shared/git-source.js';

/** Brings the source to the ref and builds it (or reuses the image), recording the decision. */
export async function fetchAndBuild(
  source: DeploySource,
  repo: string,
  shown: string,
  options: DeployOptions,
  {
    env,
    stateDir,
    log,
    beforeBuild,
  }: {
    env: NodeJS.ProcessEnv;
    stateDir: string;
    log: Logger;
    /** Called with the repository's config (empty unless trusted) once it is read, before the build. */
    beforeBuild: (config: RepositoryConfig) => Promise<void>;
  },
): Promise<{
  build: BuildResult;
  commit: string | undefined;
  repo: string;
  retention: RetentionOptions | undefined;
}> {
  log.info(
    `📥 ${source.kind === 'git' ? 'Fetching' : 'Using'} ${shown}${options.ref ? ` at ${options.ref}` : ''}`,
  );
  const { dir, commit, dirty } = await checkout(source, options.ref, stateDir);
  if (commit) log.info(`📌 Commit ${commit}`);
  if (dirty)
    log.warn(
      `${dir} has uncommitted changes: they are built, and the revision label names ${commit?.slice(0, 12)}`,
    );

  const repoConfig = await repositoryConfig(dir, options, log);
  await beforeBuild(repoConfig);
  // `--repo` names the image; else a trusted config's `repo`; else the source's name.
  if (options.repo === undefined && repoConfig.repo !== undefined && repoConfig.repo !== repo) {
    assertRepoName(repoConfig.repo);
    log.info(`🏷️ Image repository ${repoConfig.repo}, from the repository's config`);
    repo = repoConfig.repo;
  }
  const request: BuildRequest = toRequest({
    context: dir,
    dockerfile: repoConfig.dockerfile ?? DEFAULT_DOCKERFILE,
    registry: resolveRegistry(options.registry, env),
    repo,
    buildArgs: repoConfig.buildArgs ?? {},
    target: repoConfig.target,
    platform: repoConfig.platform,
    force: options.force ?? false,
    labels: { [LABELS.source]: shown, ...(commit ? { [LABELS.revision]: commit } : {}) },
  });
  if (!existsSync(join(dir, request.dockerfile))) {
    throw new ButlerError(
      'DOCKERFILE_MISSING',
      `${shown} has no ${request.dockerfile}${commit ? ` at ${commit.slice(0, 12)}` : ''}`,
      {
        hint: 'deploy a repository with a Dockerfile at its top (or name another ref)',
      },
    );
  }
  // The product build `butler build` runs: force rules (--force, BUTLER_FORCE_REBUILD, a
  // force-rebuild marker), the shared cache, the record. Retention waits until after the swap.
  // A trusted config's plugins come after the defaults (as in `butler build`); the caller's
  // `plugins` option is a whole set.
  const trusted = repoConfig.plugins !== undefined || repoConfig.replaceDefaultPlugins !== undefined;
  const build = await runBuild(request, {
    backend: repoConfig.backend,
    builder: repoConfig.builder,
    plugins: trusted ? repoConfig.plugins : options.plugins,
    replaceDefaultPlugins: trusted ? repoConfig.replaceDefaultPlugins : options.plugins !== undefined,
    retention: false,
    // Resolved by the build's one resolver, as for `butler build`: the flag over BUTLER_REMOTE_CACHE
    // over a trusted config; options already resolved by a library caller are used as given.
    remoteCacheOptions: options.remoteCache,
    remoteCacheFlag: options.remoteCacheFlag,
    remoteCache: repoConfig.remoteCache,
    requirePush: repoConfig.requirePush,
    forceRebuild: options.force,
    env,
    stateDir,
    onEvent: options.onBuildEvent,
  });
  options.onBuilt?.(build);
  return { build, commit, repo, retention: repoConfig.retention };
}

/** The repository's config when trusted; otherwise the defaults, and a line saying a config was skipped. */
async function repositoryConfig(dir: string, options: DeployOptions, log: Logger): Promise<RepositoryConfig> {
  const file = configFileIn(dir);
  if (!file) return {};
  if (options.trustedConfig) {
    log.info(`⚙️ Using the repository's ${file} (trusted)`);
    return options.trustedConfig(dir, join(dir, file));
  }
  log.warn(
    `Not running the repository's ${file} (it is code); building the Dockerfile with the default plugins — pass --trust-config to use it`,
  );
  return {};
}
