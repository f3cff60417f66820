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
 * The environment `docker build` runs with: BuildKit where buildx is installed (Docker 23 and later
 * build with it by default; 20.10 with buildx uses it when asked), else docker's own default. A
 * DOCKER_BUILDKIT the user set wins.
 */
export function builderEnvironment(
  buildx: string | undefined,
  userEnv: Record<string, string | undefined>,
): { env: Record<string, string>; description: string } {
  const chosen = userEnv.DOCKER_BUILDKIT;
  if (chosen !== undefined) {
    return {
      env: {},
      description: `builder: ${chosen === '0' ? 'the classic builder' : 'BuildKit'} (DOCKER_BUILDKIT=${chosen} is set)`,
    };
  }
  if (buildx)
    return { env: { DOCKER_BUILDKIT: '1' }, description: `builder: BuildKit (docker buildx ${buildx})` };
  return {
    env: {},
    description:
      'builder: docker build’s default — the classic builder where buildx is not installed (as here)',
  };
}
