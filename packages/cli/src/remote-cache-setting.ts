import { DEFAULT_REGISTRY } from '@devops-butler/core';
import type { RemoteCacheMode } from '@devops-butler/registry-cache';
import type { ButlerConfig } from './config.js';
import { UsageError } from './usage-error.js';

/**
 * Whether (and which way) a build shares its cache through the registry: `--remote-cache` over
 * BUTLER_REMOTE_CACHE over the config's `remoteCache`; by default on when a registry is set.
 */
export function remoteCacheMode(
  registry: string,
  flag: string | undefined,
  env: NodeJS.ProcessEnv,
  config: ButlerConfig['remoteCache'],
): RemoteCacheMode | undefined {
  const raw = flag ?? env.BUTLER_REMOTE_CACHE ?? (config === undefined ? undefined : String(config));
  const wanted = raw === undefined ? (registry === DEFAULT_REGISTRY ? 'off' : 'both') : normalise(raw);
  if (wanted === 'off') return undefined;
  if (registry === DEFAULT_REGISTRY) {
    throw new UsageError(
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
      throw new UsageError(`remote cache "${value}" must be one of both, pull, push, off`);
  }
}
