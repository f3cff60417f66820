import { type BackendName, type Builder, flattenPlugins, type PluginOption } from '@devops-butler/core';
import type { BuilderChoice } from '@devops-butler/engine-client';
import { cargo } from '@devops-butler/plugin-cargo';
import { composer } from '@devops-butler/plugin-composer';
import { go } from '@devops-butler/plugin-go';
import { maven } from '@devops-butler/plugin-maven';
import { npm } from '@devops-butler/plugin-npm';
import { pip } from '@devops-butler/plugin-pip';

/** The one place the default plugin set is assembled: a backend plus every manifest plugin. */
export async function defaultPlugins(backend: BackendName = 'dockerode'): Promise<PluginOption[]> {
  // Only the chosen backend is loaded.
  const backendPlugin =
    backend === 'docker-cli'
      ? (await import('@devops-butler/backend-docker-cli')).dockerCli()
      : (await import('@devops-butler/backend-dockerode')).dockerode();
  return [backendPlugin, ...offlinePlugins()];
}

/**
 * The builder the chosen backend will build with, decided before hashing (the hash follows it):
 * the config's, `DOCKER_BUILDKIT`'s, else what the engine (dockerode) or the CLI (docker-cli) has.
 */
export async function chooseBuilder(
  backend: BackendName = 'dockerode',
  configured: Builder | undefined,
  env: NodeJS.ProcessEnv,
): Promise<BuilderChoice> {
  if (backend === 'docker-cli') {
    return (await import('@devops-butler/backend-docker-cli')).cliBuilder({ configured });
  }
  const { apiBuilder, engineEndpoint } = await import('@devops-butler/engine-client');
  return apiBuilder(engineEndpoint(env), { configured, env });
}

/** Manifest plugins only: for commands that must not touch the engine (`butler hash`). */
export function offlinePlugins(): PluginOption[] {
  return [npm(), pip(), maven(), go(), cargo(), composer()];
}

/**
 * The plugins a command runs: the defaults, then the config's. A config plugin with a default's
 * name replaces it (`npm({ unpinned: 'strict' })` configures the built-in npm plugin);
 * `replaceDefaultPlugins: true` keeps only the config's.
 */
export function withConfigPlugins(
  defaults: readonly PluginOption[],
  config: { plugins?: readonly PluginOption[] | undefined; replaceDefaultPlugins?: boolean | undefined },
): PluginOption[] {
  const own = flattenPlugins(config.plugins ?? []);
  if (config.replaceDefaultPlugins) return own;
  const replaced = new Set(own.map((plugin) => plugin.name));
  return [...flattenPlugins(defaults).filter((plugin) => !replaced.has(plugin.name)), ...own];
}
