import { syntaxFrontend } from '../context/platform-args.js';
import { ButlerError } from '../kernel/errors.js';
import type { BuildJob } from '../kernel/types.js';

/**
 * When a BuildKit build failed because the frontend its Dockerfile's `# syntax=` line names could
 * not be had (not on the engine, no registry reachable), that as one line — the engine's own text
 * is a chain of wrapped errors ending in a DNS or HTTP failure. Undefined for any other failure.
 */
export function frontendUnavailable(job: BuildJob, error: unknown): ButlerError | undefined {
  if (job.context.request.builder === 'classic') return undefined;
  const frontend = syntaxFrontend(job.context.dockerfileText);
  if (!frontend || job.inputs.images[frontend] !== 'missing') return undefined;
  const message = error instanceof Error ? error.message : String(error);
  if (!/frontend|manifest|pull|resolve|registry|dial tcp/i.test(message)) return undefined;
  return new ButlerError(
    'BUILD_FAILED',
    `the Dockerfile's "# syntax=${frontend}" line names a frontend image this engine does not have and could not pull`,
    {
      cause: error,
      hint: `docker pull ${frontend} where its registry is reachable (or docker load it), or remove the # syntax= line to build with the engine's own frontend`,
    },
  );
}
