import { basename } from 'node:path';
import { ButlerError } from '../kernel/errors.js';

// Docker's reference grammar: path components are lowercase alphanumerics joined by '.', '_', '__' or '-'.
const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const REGISTRY_HOST = /^[a-zA-Z0-9.-]+(?::[0-9]+)?$/;

/** The registry part of image names when none is set: a name only — images under it never leave the engine. */
export const DEFAULT_REGISTRY = 'local-registry';

/** The Dockerfile's name in the context when none is given. */
export const DEFAULT_DOCKERFILE = 'Dockerfile';

/**
 * The registry a command uses: its `--registry` flag, else BUTLER_REGISTRY, else the config's
 * `registry`, else `local-registry`. The one place this order is written.
 */
export function resolveRegistry(
  flag: string | undefined,
  env: NodeJS.ProcessEnv,
  configured?: string | undefined,
): string {
  return flag ?? (env.BUTLER_REGISTRY || undefined) ?? configured ?? DEFAULT_REGISTRY;
}

/** Throws NAME_INVALID unless `repo` is a valid repository path (`myapp`, `team/myapp`). */
export function assertRepoName(repo: string): void {
  const components = repo.split('/');
  if (repo.length === 0 || repo.length > 255 || !components.every((c) => COMPONENT.test(c))) {
    throw new ButlerError('NAME_INVALID', `invalid repository name "${repo}"`, {
      hint: 'use lowercase letters, digits and separators (. _ -), e.g. "my-app"',
    });
  }
}

/** Throws NAME_INVALID unless `registry` is `host[:port]` optionally followed by a namespace path. */
export function assertRegistryName(registry: string): void {
  const [host, ...namespace] = registry.split('/');
  if (!host || !REGISTRY_HOST.test(host) || !namespace.every((c) => COMPONENT.test(c))) {
    throw new ButlerError('NAME_INVALID', `invalid registry "${registry}"`, {
      hint: 'use host[:port][/namespace], e.g. "localhost:5000/team"',
    });
  }
}

/** Turns a folder or git remote name into a valid repository name (`My_App.git` → `my_app`). */
export function repoNameFrom(name: string): string {
  const normalised = basename(name)
    .replace(/\.git$/, '')
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[._-]+|[._-]+$/g, '')
    .replace(/[._-]*([._-])[._-]*/g, '$1');
  return normalised || 'app';
}
