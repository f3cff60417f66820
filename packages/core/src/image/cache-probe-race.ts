import { ButlerError } from '../kernel/errors.js';

/**
 * The classic builder's cache check lists every child of a step's parent image, then reads each:
 * when another process removes one of them in between (Butler's own retention after a parallel
 * build on the same base image, say), the engine fails the build with `unable to find image
 * "sha256:…"` (moby's GetCachedImage). Nothing about the build was wrong: the same build again
 * lists the children anew. Any other failure, a name instead of an ID among them, is the build's.
 */
const CACHE_PROBE_RACE = /unable to find image "sha256:[0-9a-f]{64}"/;

/** Whether a failed build is the classic builder's cache check racing an image removal. */
export function isCacheProbeRace(error: unknown): boolean {
  return (
    ButlerError.isInstance(error) && error.code === 'BUILD_FAILED' && CACHE_PROBE_RACE.test(error.message)
  );
}

/** The race again, on the second try: the same error, with what to do about it. */
export function cacheProbeRacedTwice(error: ButlerError): ButlerError {
  return new ButlerError('BUILD_FAILED', error.message, {
    cause: error,
    hint: 'another process removed images built on the same base image while the engine checked its cache, twice; run butler build again once it is done',
    output: error.output,
    plugin: error.plugin,
    hook: error.hook,
  });
}
