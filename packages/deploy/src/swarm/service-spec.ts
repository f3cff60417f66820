import { LABELS, sha256Hex } from '@devops-butler/core';
import type { ServiceSpec, ServiceUpdateConfig } from '@devops-butler/engine-client';
import { DEFAULT_NETWORK, type DeploySettings } from '../shared/settings.js';
import type { Release } from '../target.js';

/** Marks a service Butler deployed with the deployment's name (the same label as the host's containers). */
export const SERVICE_DEPLOYMENT_LABEL = LABELS.deployment;
/** What the service runs with besides its image, as a digest: a change of it is an update. */
export const SERVICE_SETTINGS_LABEL = LABELS.deploySettings;

/** How long Swarm watches each updated task before it counts the update of that task as done. */
export const MONITOR_MS = 5_000;
const NS_PER_MS = 1_000_000;

/** What goes into a service besides the settings: the image pinned by digest, and its content hash. */
export interface ServiceVersion {
  release: Release;
  /** `registry/repo:hash12@sha256:…`: every node runs the same bytes. */
  image: string;
  contentHash: string;
  env: Record<string, string>;
  /** Seconds a task gets after SIGTERM. */
  graceSeconds: number;
}

/**
 * The service spec of a deployment: `replicas` tasks of the image by digest, updated one task at a
 * time, the new task started before the old one stops (start-first), watched for `MONITOR_MS`,
 * and rolled back by Swarm itself when a new task fails. Host-mode ports cannot be held by two
 * tasks on one node, so there the old task stops first. Pure: the target sends it.
 */
export function serviceSpec(name: string, version: ServiceVersion, settings: DeploySettings): ServiceSpec {
  const { release } = version;
  const publishMode = settings.publishMode ?? 'ingress';
  const policy: ServiceUpdateConfig = {
    Parallelism: 1,
    FailureAction: 'rollback',
    Monitor: MONITOR_MS * NS_PER_MS,
    MaxFailureRatio: 0,
    Order: publishMode === 'host' && settings.ports.length > 0 ? 'stop-first' : 'start-first',
  };
  const labels = {
    [SERVICE_DEPLOYMENT_LABEL]: name,
    [LABELS.repo]: release.repo,
    [LABELS.source]: release.source,
    [LABELS.contentHash]: version.contentHash,
    ...(release.commit ? { [LABELS.revision]: release.commit } : {}),
    [SERVICE_SETTINGS_LABEL]: serviceSettingsDigest(version.env, settings),
  };
  return {
    Name: name,
    Labels: labels,
    TaskTemplate: {
      ContainerSpec: {
        Image: version.image,
        Env: Object.entries(version.env).map(([key, value]) => `${key}=${value}`),
        Labels: { [SERVICE_DEPLOYMENT_LABEL]: name },
        StopGracePeriod: version.graceSeconds * 1000 * NS_PER_MS,
        ...(settings.mounts.length > 0
          ? {
              Mounts: settings.mounts.map((m) => ({
                Type: m.type,
                Source: m.source,
                Target: m.target,
                ReadOnly: m.readOnly,
              })),
            }
          : {}),
        ...(settings.healthCmd
          ? {
              Healthcheck: {
                Test: ['CMD-SHELL', settings.healthCmd],
                Interval: 1000 * NS_PER_MS,
                Timeout: 10_000 * NS_PER_MS,
                Retries: 3,
              },
            }
          : {}),
      },
      RestartPolicy: { Condition: 'any', Delay: 1000 * NS_PER_MS },
      // The default bridge network is one engine's: a service runs on Swarm's overlay networks.
      ...(settings.network !== DEFAULT_NETWORK ? { Networks: [{ Target: settings.network }] } : {}),
    },
    Mode: { Replicated: { Replicas: settings.replicas ?? 1 } },
    UpdateConfig: policy,
    RollbackConfig: { ...policy, FailureAction: 'pause' },
    ...(settings.ports.length > 0
      ? {
          EndpointSpec: {
            Ports: settings.ports.map((p) => ({
              Protocol: 'tcp' as const,
              TargetPort: p.container,
              PublishedPort: p.host,
              PublishMode: publishMode,
            })),
          },
        }
      : {}),
  };
}

/** Env, mounts, ports, replicas and health in a stable order (env values only as part of the digest). */
function serviceSettingsDigest(env: Record<string, string>, settings: DeploySettings): string {
  const sorted = Object.entries(env).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return sha256Hex(
    JSON.stringify({
      env: sorted,
      mounts: settings.mounts,
      ports: settings.ports,
      network: settings.network,
      replicas: settings.replicas ?? 1,
      healthCmd: settings.healthCmd ?? null,
      publishMode: settings.publishMode ?? 'ingress',
    }),
  ).slice(0, 16);
}
