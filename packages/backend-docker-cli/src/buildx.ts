import type { Builder } from '@devops-butler/core';
import { type BuilderChoice, builderFromEnvironment } from '@devops-butler/engine-client';

/**
 * `docker buildx version`'s answer (recorded ones are in the tests): the version when buildx is
 * installed, undefined when the CLI says it has no such command.
 */
export function parseBuildxVersion(exitCode: number, stdout: string): string | undefined {
  if (exitCode !== 0) return undefined;
  // "github.com/docker/buildx v0.11.2 9872040" (the plugin), or "buildx v0.12.1 …" (packagers).
  return /\bv?(\d+\.\d+\.\d+\S*)/.exec(stdout)?.[1];
}

/**
 * Which builder `docker build` uses for Butler: the config's or `DOCKER_BUILDKIT`'s choice; else
 * BuildKit wherever this CLI has it — through buildx, or built in (a 18.09–22.x CLI builds with
 * BuildKit under DOCKER_BUILDKIT=1 without buildx; from 23.0 on, only buildx does) — else the
 * classic builder. Pure: `clientVersion` and `buildx` are the CLI's answers (recorded in tests).
 */
export function chooseCliBuilder(
  clientVersion: string | undefined,
  buildx: string | undefined,
  options: { configured?: Builder | undefined; env: Record<string, string | undefined> },
): BuilderChoice {
  if (options.configured) return { builder: options.configured, reason: 'the config asks for it' };
  const fromEnv = builderFromEnvironment(options.env);
  if (fromEnv) return { builder: fromEnv, reason: `DOCKER_BUILDKIT=${options.env.DOCKER_BUILDKIT} is set` };
  if (buildx) return { builder: 'buildkit', reason: `docker buildx ${buildx}` };
  const [major = 0, minor = 0] = (clientVersion ?? '').split('.').map((part) => Number.parseInt(part, 10));
  const builtIn = (major > 18 || (major === 18 && minor >= 9)) && major < 23;
  if (builtIn) return { builder: 'buildkit', reason: `docker ${clientVersion} has BuildKit built in` };
  return {
    builder: 'classic',
    reason: clientVersion
      ? `docker ${clientVersion} builds with BuildKit only through buildx, which is not installed`
      : 'the docker CLI did not say its version',
  };
}
