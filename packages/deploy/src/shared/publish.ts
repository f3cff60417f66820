import { ButlerError } from '@devops-butler/core';
import {
  type EngineEndpoint,
  inspectImage,
  inspectRemote,
  NOT_FOUND,
  pull,
  push,
} from '@devops-butler/engine-client';
import { credentialsFor, registryAuthHeader } from '@devops-butler/registry-cache';

/** X-Registry-Auth for the registry a reference names: the docker CLI's credentials (helpers too). */
export async function registryAuthFor(reference: string, env: NodeJS.ProcessEnv): Promise<string> {
  const host = reference.slice(0, reference.indexOf('/'));
  return registryAuthHeader(host, await credentialsFor(host, env));
}

/**
 * The registry's digest of a content-hash tag, pushed from `endpoint` first when the registry does
 * not have it yet (a build that reused a local image pushed nothing). Other machines pull it from there.
 */
export async function ensurePublished(
  endpoint: EngineEndpoint,
  reference: string,
  registryAuth: string,
  say: (line: string) => void,
): Promise<string> {
  const known = await inspectRemote(endpoint, reference, registryAuth);
  if (known !== NOT_FOUND) return known.digest;
  const colon = reference.lastIndexOf(':');
  say(`⬆️ Pushing ${reference}: the other machines pull it from the registry`);
  await push(endpoint, reference.slice(0, colon), reference.slice(colon + 1), registryAuth);
  const pushed = await inspectRemote(endpoint, reference, registryAuth);
  if (pushed === NOT_FOUND) {
    throw new ButlerError('REGISTRY_UNREACHABLE', `the registry does not list ${reference} after the push`, {
      hint: 'check the registry (docker push it by hand to see its answer)',
    });
  }
  return pushed.digest;
}

/** Makes sure the engine has the image (by ID), pulling its tag from the registry when it does not. */
export async function ensurePulled(
  endpoint: EngineEndpoint,
  image: { id: string; reference: string },
  registryAuth: string,
  say: (line: string) => void,
): Promise<void> {
  if (await inspectImage(endpoint, image.id)) return;
  const colon = image.reference.lastIndexOf(':');
  say(`⬇️ Pulling ${image.reference}`);
  await pull(
    endpoint,
    image.reference.slice(0, colon),
    image.reference.slice(colon + 1),
    undefined,
    registryAuth,
  );
  const pulled = await inspectImage(endpoint, image.reference);
  if (pulled?.Id !== image.id) {
    throw new ButlerError(
      'DEPLOY_FAILED',
      `${image.reference} in the registry is not the image built for it (${pulled?.Id.slice(7, 19) ?? 'none'} instead of ${image.id.slice(7, 19)})`,
      { hint: 'another machine pushed other bytes under that tag: build again with --force' },
    );
  }
}
