import type { Logger } from '@devops-butler/core';
import type { DeploySettings } from './shared/settings.js';

/** The kinds of place a deployment runs: one engine's containers (Butler's own swap), or a Swarm service. */
export type TargetKind = 'host' | 'swarm';

/** One version going live: what the state store records about it. */
export interface Release {
  name: string;
  repo: string;
  source: string;
  commit: string | undefined;
  imageId: string;
  reference: string;
  action: 'deploy' | 'rollback';
}

/** What a target put in place for a release: a container, a service. */
export interface Placement {
  target: TargetKind;
  /** The container's or service's ID. */
  id: string;
  /** Its name on the engine. */
  name: string;
}

/** How one go-live ended. */
export interface GoLiveOutcome {
  /** `unchanged`: the deployment already ran this image with these settings and was kept. */
  outcome: 'deployed' | 'unchanged';
  placed: Placement;
  /** What served before and the image it ran (retention keeps that image: the way back). */
  replaced?: { id: string; image: string } | undefined;
  /** A pause of the service (a volume handover), in ms; absent without one. */
  pausedMs?: number | undefined;
}

/** What a run asks of a target besides the release. */
export interface GoLiveRun {
  settings: DeploySettings;
  appEnv: Record<string, string>;
  force?: boolean | undefined;
  graceSeconds?: number | undefined;
  settleMs?: number | undefined;
  log: Logger;
}

/** What runs for a deployment now, as the target sees it. */
export interface RunningState {
  status: 'running' | 'exited' | 'missing';
  /** The image it runs, when something runs. */
  imageId?: string | undefined;
}

/** What undeploy removed, and the volumes it kept. */
export interface RemovedDeployment {
  /** Containers (host) or services (swarm) removed; 0: nothing of that name was deployed. */
  containers: number;
  /** Volume names kept (their data survives); empty when `removeVolumes` was asked. */
  keptVolumes: string[];
}

/**
 * Where deployments run. `goLive` is the whole health-checked replacement: an unhealthy release
 * leaves what served before serving. Every target records the same history, so `rollback`,
 * `deployments` and retention work the same whichever runs a deployment.
 */
export interface DeployTarget {
  readonly kind: TargetKind;
  /** The engine it reaches, as DOCKER_HOST spells it: records are kept apart by it. */
  readonly engine: string;
  /** Checks made before anything is built (an engine that cannot run this target says so now). */
  prepare(): Promise<void>;
  goLive(release: Release, run: GoLiveRun): Promise<GoLiveOutcome>;
  /** Whether `release`'s image can be placed again (a rollback's check before it starts). */
  canPlace(release: Pick<Release, 'imageId' | 'reference'>): Promise<boolean>;
  /** What runs for `name`; a half-done replacement left by a killed deploy is finished first. */
  running(name: string, step: (message: string) => void): Promise<RunningState>;
  /** Removes what the deployment placed; its volumes stay unless `removeVolumes`. */
  remove(name: string, options: { graceSeconds: number; removeVolumes: boolean }): Promise<RemovedDeployment>;
  /** IDs or references of the images this target's deployments need (retention keeps them). */
  imagesInUse(): Promise<Set<string>>;
}
