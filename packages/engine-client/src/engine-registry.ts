import { ButlerError } from '@devops-butler/core';
import { type EngineEndpoint, engineExchange } from './engine-api.js';
import { jsonLines, TransferProgress } from './transfer-progress.js';

/** What the registry holds for a tag, as the engine sees it (`GET /distribution/{name}/json`). */
export interface RemoteManifest {
  digest: string;
  mediaType: string;
  /** `linux/amd64`, `linux/arm64/v8`, …: one entry for a plain image, several for a manifest list. */
  platforms: string[];
}

/** The registry answered that it has no such tag (or no such repository). */
export const NOT_FOUND = Symbol('not found');

/**
 * Asks the engine to ask the registry about `reference` (the engine uses its own TLS, mirror and
 * insecure-registry settings, with the user's credentials in X-Registry-Auth).
 */
export async function inspectRemote(
  endpoint: EngineEndpoint,
  reference: string,
  auth: string,
): Promise<RemoteManifest | typeof NOT_FOUND> {
  const { status, body } = await call(endpoint, 'GET', `/distribution/${reference}/json`, auth);
  const message = messageOf(body);
  if (status === 200) {
    const parsed = JSON.parse(body) as {
      Descriptor: { digest: string; mediaType: string };
      Platforms?: { os: string; architecture: string; variant?: string }[] | null;
    };
    return {
      digest: parsed.Descriptor.digest,
      mediaType: parsed.Descriptor.mediaType,
      platforms: (parsed.Platforms ?? []).map((p) =>
        [p.os, p.architecture, p.variant].filter(Boolean).join('/'),
      ),
    };
  }
  // The engine answers 401/403/404/500 for "no such manifest" depending on the registry.
  if (/manifest unknown|not found|name unknown|does not exist/i.test(message)) return NOT_FOUND;
  throw registryError(message || `engine answered HTTP ${status}`);
}

/** Pulls `repo:tag` (for one platform when given); how far it has come goes to `onProgress`. */
export async function pull(
  endpoint: EngineEndpoint,
  repo: string,
  tag: string,
  platform: string | undefined,
  auth: string,
  onProgress?: (text: string) => void,
): Promise<void> {
  const query = new URLSearchParams({ fromImage: repo, tag });
  if (platform) query.set('platform', platform);
  const { status, body } = await call(
    endpoint,
    'POST',
    `/images/create?${query}`,
    auth,
    progressOf(`⬇️ Pulling ${repo}:${tag}`, onProgress),
  );
  failOnStreamError(status, body, `pulling ${repo}:${tag}`);
}

/** Pushes `repo:tag` (both must be tagged on the engine already); resolves with the manifest digest the registry took. */
export async function push(
  endpoint: EngineEndpoint,
  repo: string,
  tag: string,
  auth: string,
  onProgress?: (text: string) => void,
): Promise<string | undefined> {
  const { status, body } = await call(
    endpoint,
    'POST',
    `/images/${encodeURIComponent(repo)}/push?tag=${encodeURIComponent(tag)}`,
    auth,
    progressOf(`⬆️ Pushing ${repo}:${tag}`, onProgress),
  );
  failOnStreamError(status, body, `pushing ${repo}:${tag}`);
  // The engine's last word on a push: {"aux":{"Tag":…,"Digest":"sha256:…","Size":…}}.
  const digest = /"Digest":"(sha256:[0-9a-f]{64})"/.exec(body)?.[1];
  return digest;
}

/** The engine streams JSON lines and reports a failure as an `error` line with HTTP 200. */
function failOnStreamError(status: number, body: string, what: string): void {
  if (status !== 200) throw registryError(`${what}: ${messageOf(body) || `HTTP ${status}`}`);
  for (const line of body.split('\n')) {
    if (!line.trim()) continue;
    let message: { error?: string; errorDetail?: { message?: string } };
    try {
      message = JSON.parse(line);
    } catch {
      continue;
    }
    if (message.error || message.errorDetail) {
      throw registryError(`${what}: ${message.errorDetail?.message ?? message.error}`);
    }
  }
}

/** A registry that refused the credentials (or got none) is told apart from one that cannot be reached. */
export function registryError(message: string): ButlerError {
  return /unauthorized|authentication required|no basic auth credentials|denied|forbidden/i.test(message)
    ? new ButlerError('REGISTRY_REFUSED', message)
    : new ButlerError('REGISTRY_UNREACHABLE', message);
}

function messageOf(body: string): string {
  try {
    return String((JSON.parse(body) as { message?: string }).message ?? '');
  } catch {
    return body.trim();
  }
}

/** Reads the engine's per-layer messages as they come and reports the whole transfer's progress. */
function progressOf(
  what: string,
  onProgress?: (text: string) => void,
): ((chunk: Buffer) => void) | undefined {
  if (!onProgress) return undefined;
  const progress = new TransferProgress(what);
  return jsonLines((message) => {
    progress.add(message);
    onProgress(progress.text());
  });
}

async function call(
  endpoint: EngineEndpoint,
  method: 'GET' | 'POST',
  path: string,
  auth: string,
  onData?: (chunk: Buffer) => void,
): Promise<{ status: number; body: string }> {
  const { status, body } = await engineExchange(endpoint, method, path, {
    headers: { 'X-Registry-Auth': auth },
    onData,
  });
  return { status, body: body.toString('utf8') };
}
