import type { DeploymentRecord } from '@devops-butler/state-store';

/** One version of a deployment: what ran, since when, and how it ended. */
export interface DeployedVersion {
  commit: string | undefined;
  reference: string;
  imageId: string;
  source: string;
  /** When it went live (for a failed attempt: when it was tried). */
  at: string;
  /** `running`: it serves now; `replaced` by a later deploy; `failed`: never went live; `undeployed`. */
  ended: 'running' | 'replaced' | 'failed' | 'undeployed';
  /** When it stopped serving, for `replaced` and `undeployed`. */
  endedAt?: string | undefined;
}

/**
 * A deployment's versions, newest first, from its records (newest first, as the state store gives
 * them). A redeploy that kept the running container (`unchanged`) is no new version.
 */
export function deploymentVersions(records: readonly DeploymentRecord[]): DeployedVersion[] {
  const versions: DeployedVersion[] = [];
  let live: DeployedVersion | undefined;
  for (const record of [...records].reverse()) {
    const version = {
      commit: record.commit,
      reference: record.reference,
      imageId: record.imageId,
      source: record.source,
      at: record.at,
    };
    if (record.outcome === 'failed') versions.push({ ...version, ended: 'failed' });
    else if (record.outcome === 'undeployed') {
      if (live) Object.assign(live, { ended: 'undeployed', endedAt: record.at });
      live = undefined;
    } else if (record.outcome === 'deployed' || !live) {
      if (live) Object.assign(live, { ended: 'replaced', endedAt: record.at });
      live = { ...version, ended: 'running' };
      versions.push(live);
    }
  }
  return versions.reverse();
}
