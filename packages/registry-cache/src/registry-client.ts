import { ButlerError } from '@devops-butler/core';
import type { RegistryCredentials } from './credentials.js';
import { isLoopback, type RegistryLocation } from './registry-name.js';

/** Media types a manifest GET accepts: single images and multi-platform lists, Docker and OCI. */
export const MANIFEST_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
] as const;

export interface Manifest {
  digest: string;
  mediaType: string;
  /** Single image: its config blob. */
  config?: { digest: string };
  layers?: { size: number }[];
  /** Multi-platform list: one entry per platform. */
  manifests?: { digest: string; platform?: { os: string; architecture: string; variant?: string } }[];
}

/**
 * The parts of the registry HTTP API (distribution spec v2) that retention of a shared cache needs:
 * tags, manifests, config blobs, deletes. Token (Bearer) and Basic auth as registries ask for them.
 */
export class RegistryClient {
  private token: string | undefined;

  constructor(
    readonly location: RegistryLocation,
    private readonly credentials: RegistryCredentials | undefined,
  ) {}

  /** Every tag of a repository (following `Link` pages); empty when the repository does not exist. */
  async tags(repository: string): Promise<string[]> {
    const tags: string[] = [];
    let path: string | undefined = `/v2/${repository}/tags/list?n=1000`;
    while (path) {
      const response = await this.send('GET', path);
      if (response.status === 404) return tags;
      await this.expect(response, 200, `listing the tags of ${repository}`);
      tags.push(...(((await response.json()) as { tags?: string[] | null }).tags ?? []));
      path = nextPage(response);
    }
    return tags;
  }

  /**
   * Repositories under a namespace (from `_catalog`), page by page: CNCF Distribution refuses a
   * page of more than 1000 (PAGINATION_NUMBER_INVALID) and says where the next one is in `Link`.
   */
  async repositories(namespace: string): Promise<string[]> {
    const names: string[] = [];
    let path: string | undefined = '/v2/_catalog?n=1000';
    while (path) {
      const response = await this.send('GET', path);
      await this.expect(response, 200, 'listing the repositories');
      names.push(...(((await response.json()) as { repositories?: string[] | null }).repositories ?? []));
      path = nextPage(response);
    }
    return namespace ? names.filter((name) => name.startsWith(`${namespace}/`)) : names;
  }

  /** A manifest by tag or digest, with its digest; undefined when there is none. */
  async manifest(repository: string, reference: string): Promise<Manifest | undefined> {
    const response = await this.send('GET', `/v2/${repository}/manifests/${reference}`, {
      accept: MANIFEST_TYPES.join(', '),
    });
    if (response.status === 404) return undefined;
    await this.expect(response, 200, `reading ${repository}:${reference}`);
    const body = (await response.json()) as Omit<Manifest, 'digest'>;
    const digest = response.headers.get('docker-content-digest') ?? reference;
    return { ...body, digest, mediaType: body.mediaType ?? response.headers.get('content-type') ?? '' };
  }

  /** An image's labels and creation time, from its config blob. */
  async imageConfig(
    repository: string,
    configDigest: string,
  ): Promise<{ labels: Record<string, string>; created: string; platform: string }> {
    const response = await this.send('GET', `/v2/${repository}/blobs/${configDigest}`);
    await this.expect(response, 200, `reading the config of ${repository}@${configDigest}`);
    const config = (await response.json()) as {
      created?: string;
      os?: string;
      architecture?: string;
      variant?: string;
      config?: { Labels?: Record<string, string> | null };
    };
    return {
      labels: config.config?.Labels ?? {},
      created: config.created ?? '',
      platform: [config.os, config.architecture, config.variant].filter(Boolean).join('/'),
    };
  }

  /** Deletes a manifest (every tag pointing at it goes with it). */
  async deleteManifest(repository: string, digest: string): Promise<void> {
    const response = await this.send('DELETE', `/v2/${repository}/manifests/${digest}`);
    if (response.status === 202 || response.status === 404) return;
    if (response.status === 405) {
      throw new ButlerError('REGISTRY_REFUSED', `${this.location.host} does not allow deletes`, {
        hint: 'enable them in the registry (Distribution: storage.delete.enabled: true, or REGISTRY_STORAGE_DELETE_ENABLED=true)',
      });
    }
    await this.expect(response, 202, `deleting ${repository}@${digest}`);
  }

  /** Uploads a manifest under a tag (tests build multi-platform lists with it). */
  async putManifest(
    repository: string,
    reference: string,
    manifest: object,
    mediaType: string,
  ): Promise<string> {
    const response = await this.send(
      'PUT',
      `/v2/${repository}/manifests/${reference}`,
      { 'content-type': mediaType },
      JSON.stringify(manifest),
    );
    await this.expect(response, 201, `uploading ${repository}:${reference}`);
    return response.headers.get('docker-content-digest') ?? '';
  }

  private async send(
    method: string,
    path: string,
    headers: Record<string, string> = {},
    body?: string,
  ): Promise<Response> {
    const registry = new URL(this.location.baseUrl).origin;
    // Credentials belong to the registry's own origin: a `Link` or redirect elsewhere gets none.
    const ownAuth = (url: URL) =>
      url.origin !== registry ? {} : this.token ? { authorization: this.token } : this.basic();
    const attempt = () =>
      fetchFollowing(new URL(path, this.location.baseUrl), { method, body, headers }, ownAuth).catch(
        (error: Error) => {
          throw new ButlerError(
            'REGISTRY_UNREACHABLE',
            `cannot reach the registry ${this.location.host} (${causeOf(error)})`,
            { hint: 'check the registry address and that it is running' },
          );
        },
      );
    let response = await attempt();
    const challenge = response.headers.get('www-authenticate');
    // A token is scoped to a repository and action: a new challenge gets a new token. Only the
    // registry's own challenge counts; a host it sent us to cannot ask for its credentials.
    if (
      response.status === 401 &&
      challenge?.startsWith('Bearer ') &&
      new URL(response.url || registry).origin === registry
    ) {
      this.token = `Bearer ${await this.fetchToken(challenge)}`;
      response = await attempt();
    }
    return response;
  }

  private basic(): Record<string, string> {
    const c = this.credentials;
    if (!c || 'identityToken' in c) return {};
    return { authorization: `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}` };
  }

  /**
   * The token flow: `Bearer realm="…",service="…",scope="…"` → GET realm with the user's
   * credentials — only when `mayReceiveCredentials` allows the realm; anonymously otherwise.
   */
  private async fetchToken(challenge: string): Promise<string> {
    const params = Object.fromEntries([...challenge.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    let url: URL;
    try {
      url = new URL(params.realm ?? '');
    } catch {
      throw new ButlerError(
        'REGISTRY_REFUSED',
        `${this.location.host} asked for a token from an invalid realm`,
      );
    }
    if (params.service) url.searchParams.set('service', params.service);
    if (params.scope) url.searchParams.set('scope', params.scope);
    const c = mayReceiveCredentials(url, new URL(this.location.baseUrl)) ? this.credentials : undefined;
    const realmOnly = (target: URL) => (target.origin === url.origin && c ? this.basic() : {});
    const response =
      c && 'identityToken' in c
        ? await fetchFollowing(
            url,
            {
              method: 'POST',
              body: new URLSearchParams({
                grant_type: 'refresh_token',
                refresh_token: c.identityToken,
                service: params.service ?? '',
                scope: params.scope ?? '',
              }).toString(),
              headers: { 'content-type': 'application/x-www-form-urlencoded' },
            },
            () => ({}),
          )
        : await fetchFollowing(url, { method: 'GET' }, realmOnly);
    await this.expect(response, 200, `getting a token from ${url.host}`);
    const body = (await response.json()) as { token?: string; access_token?: string };
    return body.token ?? body.access_token ?? '';
  }

  private async expect(response: Response, status: number, what: string): Promise<void> {
    if (response.status === status) return;
    const text = (await response.text().catch(() => '')).trim().slice(0, 200);
    if (response.status === 401 || response.status === 403) {
      throw new ButlerError(
        'REGISTRY_REFUSED',
        `${what}: ${this.location.host} refused access (HTTP ${response.status})`,
        {
          hint: `log in with docker login ${this.location.host}`,
        },
      );
    }
    throw new ButlerError('REGISTRY_UNREACHABLE', `${what}: HTTP ${response.status} ${text}`);
  }
}

/**
 * Whether a token realm may be sent the user's registry credentials (as the docker CLI decides):
 * the registry's own host, any host over https, or a loopback host. A plain-http realm elsewhere
 * would put the password on the network in the clear.
 */
export function mayReceiveCredentials(realm: URL, registry: URL): boolean {
  return realm.host === registry.host || realm.protocol === 'https:' || isLoopback(realm.hostname);
}

const MAX_REDIRECTS = 5;

/**
 * fetch() that follows redirects itself, adding `auth(url)` to each hop: the default follower
 * would carry the registry's Authorization header to whatever host a redirect names.
 */
async function fetchFollowing(
  start: URL,
  init: { method: string; body?: string | undefined; headers?: Record<string, string> },
  auth: (url: URL) => Record<string, string>,
): Promise<Response> {
  let url = start;
  let { method, body } = init;
  for (let hop = 0; ; hop++) {
    const response = await fetch(url, {
      method,
      body,
      redirect: 'manual',
      headers: { ...init.headers, ...auth(url) },
    });
    const location = response.headers.get('location');
    if (response.status < 300 || response.status > 399 || !location || hop === MAX_REDIRECTS) return response;
    await response.body?.cancel();
    url = new URL(location, url);
    // 307/308 repeat the request; the others turn it into a GET.
    if (response.status !== 307 && response.status !== 308 && method !== 'HEAD') {
      method = 'GET';
      body = undefined;
    }
  }
}

function causeOf(error: Error): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? error.message;
}

/** The next page of a paginated listing, from its `Link: <…>; rel="next"` header. */
function nextPage(response: Response): string | undefined {
  return /<([^>]+)>;\s*rel="next"/.exec(response.headers.get('link') ?? '')?.[1];
}
