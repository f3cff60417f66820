import { assertRegistryName, ButlerError, DEFAULT_REGISTRY } from '@devops-butler/core';

/** `127.0.0.1:5000/team` → host `127.0.0.1:5000`, namespace `team`. */
export interface RegistryLocation {
  host: string;
  namespace: string;
  /** Plain HTTP for loopback hosts (engines allow those without TLS too); HTTPS for everything else. */
  baseUrl: string;
}

export function parseRegistry(registry: string): RegistryLocation {
  assertRegistryName(registry);
  if (registry === DEFAULT_REGISTRY) {
    throw new ButlerError('CONFIG_INVALID', `"${DEFAULT_REGISTRY}" is the local-only name, not a registry`, {
      hint: 'set registry to host[:port]/namespace (or BUTLER_REGISTRY, --registry) to share the cache',
    });
  }
  const [host, ...rest] = registry.split('/');
  const hostname = (host as string).replace(/:\d+$/, '');
  return {
    host: host as string,
    namespace: rest.join('/'),
    baseUrl: `${isLoopback(hostname) ? 'http' : 'https'}://${host}`,
  };
}

/** `localhost`, `127.x.x.x` or `[::1]` (a URL's hostname, without the port). */
export function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || /^127\.\d+\.\d+\.\d+$/.test(hostname) || hostname === '[::1]';
}

/** The repository's path in the registry: `team/app`. */
export function repositoryPath(location: RegistryLocation, repo: string): string {
  return location.namespace ? `${location.namespace}/${repo}` : repo;
}
