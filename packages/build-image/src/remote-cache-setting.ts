import { ButlerError, DEFAULT_REGISTRY } from '@devops-butler/core';
import type { RemoteCacheMode } from '@devops-butler/registry-cache';

/** How a config or a caller asks for the shared cache. */
export type RemoteCacheSetting = boolean | 'pull' | 'push' | undefined;

/**
 * Whether (and which way) a build shares its cache through the registry: `--remote-cache` over
 * BUTLER_REMOTE_CACHE over the config's `remoteCache`; by default on when a registry is set.
 */
export function remoteCacheMode(
  registry: string,
  flag: string | undefined,
  env: NodeJS.ProcessEnv,
  config: RemoteCacheSetting,
): RemoteCacheMode | undefined {
  const raw = flag ?? env.BUTLER_REMOTE_CACHE ?? (config === undefined ? undefined : String(config));
  const wanted = raw === undefined ? (registry === DEFAULT_REGISTRY ? 'off' : 'both') : normalise(raw);
  if (wanted === 'off') return undefined;
  if (registry === DEFAULT_REGISTRY) {
    throw new ButlerError(
      'CONFIG_INVALID',
      'a remote cache needs a registry: set registry (or --registry, BUTLER_REGISTRY) to host[:port]/namespace',
    );
  }
  return wanted;
}

function normalise(value: string): RemoteCacheMode | 'off' {
  switch (value) {
    case 'true':
    case 'both':
      return 'both';
    case 'false':
    case 'off':
      return 'off';
    case 'pull':
    case 'push':
      return value;
    default:
      throw new ButlerError('CONFIG_INVALID', `remote cache "${value}" must be one of both, pull, push, off`);
  }
}
