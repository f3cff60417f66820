import { ButlerError } from '@devops-butler/core';
import type { DeployOptions, RepositoryConfig } from './deploy-options.js';
import type { DeploySettings, GivenSettings } from './shared/settings.js';

/** The settings this call gives (undefined: not given, the remembered one holds). */
export function givenSettings(options: DeployOptions): GivenSettings {
  return {
    network: options.network,
    ports: options.ports,
    env: options.env,
    envFile: options.envFile,
    mounts: options.mounts,
    healthPath: options.health?.path,
    healthTimeoutMs: options.health?.timeoutMs,
    drainMs: options.drainMs,
    holdMs: options.holdMs,
    keepVersions: options.keepVersions,
    swarm: options.swarm,
    replicas: options.replicas,
    hosts: options.hosts,
    healthCmd: options.health?.cmd,
    publishMode: options.publishMode,
  };
}

/** The repository config's deploy section over the remembered settings; flags given now win over both. */
export function withRepositoryDeploy(
  settings: DeploySettings,
  deploy: RepositoryConfig['deploy'],
  given: GivenSettings,
): DeploySettings {
  const merged = { ...settings };
  for (const [key, value] of Object.entries(deploy ?? {}) as [
    keyof NonNullable<RepositoryConfig['deploy']>,
    never,
  ][]) {
    if (value !== undefined && given[key] === undefined) merged[key] = value;
  }
  return merged;
}

/** Settings that only one kind of target has are refused on the other, in one line. */
export function assertTargetSettings(settings: DeploySettings): void {
  const wrong = (flag: string, why: string, hint: string): never => {
    throw new ButlerError('CONFIG_INVALID', `${flag} ${why}`, { hint });
  };
  if (settings.swarm) {
    if (settings.hosts?.length) {
      wrong(
        '--host (several)',
        'and --swarm contradict each other',
        'a swarm places tasks on its nodes itself: name its manager once (--host or DOCKER_HOST)',
      );
    }
    if (settings.healthPath !== undefined) {
      wrong(
        '--health-path',
        'is the container swap’s check; a Swarm service is checked in its container',
        'use --health-cmd "wget -qO- http://localhost:PORT/up" (or the image’s HEALTHCHECK)',
      );
    }
    return;
  }
  if (settings.replicas !== undefined)
    wrong('--replicas', 'needs --swarm', 'deploy with --swarm to a swarm manager, or drop --replicas');
  if (settings.publishMode !== undefined)
    wrong('--publish-mode', 'needs --swarm', 'drop it: the container swap publishes through its front');
  if (settings.healthCmd !== undefined)
    wrong('--health-cmd', 'needs --swarm', 'use --health-path, or a HEALTHCHECK in the Dockerfile');
}

/** Docker's container name grammar; the front and candidate names add a suffix to it. */
export function assertContainerName(name: string): void {
  if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,120}$/.test(name)) {
    throw new ButlerError('NAME_INVALID', `"${name}" is not a valid container name`, {
      hint: 'use letters, digits, "_", "." and "-", starting with a letter or digit',
    });
  }
}
