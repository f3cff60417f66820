import { type EngineEndpoint, plainEndpoint } from '@devops-butler/backend-dockerode';
import { ButlerError } from '@devops-butler/core';

/** The engine endpoint for retention commands, or one clear error when only dockerode could reach it. */
export function requireEndpoint(env: NodeJS.ProcessEnv, command: string): EngineEndpoint {
  const endpoint = plainEndpoint(env);
  if (endpoint) return endpoint;
  throw new ButlerError(
    'ENGINE_UNREACHABLE',
    `butler ${command} needs the engine on a unix socket or plain tcp DOCKER_HOST`,
    {
      hint: 'run it on the engine host, or point DOCKER_HOST at unix:// or tcp://',
    },
  );
}
