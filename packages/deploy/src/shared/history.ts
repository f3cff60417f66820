import { ButlerError } from '@devops-butler/core';
import { type DeploymentRecord, LOCAL_ENGINE } from '@devops-butler/state-store';

/** One version of a deployment: what ran, since when, and how it ended. */
export interface DeployedVersion {
  repo: string;
  commit: string | undefined;
  reference: string;
  imageId: string;
  source: string;
  /** When it went live (for a failed attempt: when it was tried). */
  at: string;
  /**
   * `running`: it serves now; `replaced` by a later deploy; `rolled-back`: `butler rollback` put an
   * earlier version back; `failed`: never went live; `undeployed`.
   */
  ended: 'running' | 'replaced' | 'rolled-back' | 'failed' | 'undeployed';
  /** When it stopped serving, for `replaced`, `rolled-back` and `undeployed`. */
  endedAt?: string | undefined;
  /** It went live through `butler rollback` (an earlier version put back). */
  rollback?: true | undefined;
  /** Going live paused the service this long (ms) to hand a writable volume over. */
  pausedMs?: number | undefined;
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
      repo: record.repo,
      commit: record.commit,
      reference: record.reference,
      imageId: record.imageId,
      source: record.source,
      at: record.at,
      ...(record.action === 'rollback' ? { rollback: true as const } : {}),
      ...(record.pausedMs !== undefined ? { pausedMs: record.pausedMs } : {}),
    };
    if (record.outcome === 'failed') versions.push({ ...version, ended: 'failed' });
    else if (record.outcome === 'undeployed') {
      if (live) Object.assign(live, { ended: 'undeployed', endedAt: record.at });
      live = undefined;
    } else if (record.outcome === 'deployed' || !live) {
      const ended = record.action === 'rollback' ? 'rolled-back' : 'replaced';
      if (live) Object.assign(live, { ended, endedAt: record.at });
      live = { ...version, ended: 'running' };
      versions.push(live);
    }
  }
  return versions.reverse();
}

/** The engine a record was placed through (records from before engines were kept: this machine's). */
export function recordEngine(record: Pick<DeploymentRecord, 'engine'>): string {
  return record.engine ?? LOCAL_ENGINE;
}

/**
 * A deployment's records per engine it ran on (a deployment to several hosts has one history on
 * each), in the order the engines first appear, newest first.
 */
export function historiesByEngine(
  records: readonly DeploymentRecord[],
): { engine: string; records: DeploymentRecord[] }[] {
  const byEngine = new Map<string, DeploymentRecord[]>();
  for (const record of records) {
    const engine = recordEngine(record);
    byEngine.set(engine, [...(byEngine.get(engine) ?? []), record]);
  }
  return [...byEngine].map(([engine, own]) => ({ engine, records: own }));
}

/**
 * The version `butler rollback` goes to: with `to`, the newest version whose commit, image tag or
 * image ID starts with it; without, the newest one before the running version that ran another
 * image. Failed attempts never ran and are never a target. Throws a one-line reason when there is none.
 */
export function rollbackTarget(
  name: string,
  versions: readonly DeployedVersion[],
  to?: string,
): { running: DeployedVersion; target: DeployedVersion } {
  const running = versions.find((v) => v.ended === 'running');
  if (!running) {
    throw new ButlerError(
      'ROLLBACK_UNAVAILABLE',
      `${name} is not running, so there is nothing to roll back`,
      {
        hint: `deploy it again with butler deploy (butler deployments ${name} lists its versions)`,
      },
    );
  }
  const ran = versions.filter((v) => v.ended !== 'failed');
  let target: DeployedVersion | undefined;
  if (to === undefined) {
    target = ran.slice(ran.indexOf(running) + 1).find((v) => v.imageId !== running.imageId);
    if (!target) {
      throw new ButlerError('ROLLBACK_UNAVAILABLE', `${name} has no earlier version to roll back to`, {
        hint: `butler deployments ${name} lists its versions`,
      });
    }
  } else {
    if (!/^[0-9a-f]{4,64}$/.test(to)) {
      throw new ButlerError(
        'CONFIG_INVALID',
        `--to "${to}" is not a commit or image tag (4 to 64 hex digits)`,
      );
    }
    const matches = ran.filter(
      (v) =>
        v.commit?.startsWith(to) ||
        v.reference.slice(v.reference.lastIndexOf(':') + 1).startsWith(to) ||
        v.imageId.replace(/^sha256:/, '').startsWith(to),
    );
    if (new Set(matches.map((v) => v.imageId)).size > 1) {
      throw new ButlerError('ROLLBACK_UNAVAILABLE', `--to ${to} matches more than one version of ${name}`, {
        hint: 'give more digits of the commit or tag',
      });
    }
    target = matches[0];
    if (!target) {
      throw new ButlerError(
        'ROLLBACK_UNAVAILABLE',
        `no version of ${name} that ran has commit or tag ${to}`,
        {
          hint: `butler deployments ${name} lists its versions`,
        },
      );
    }
    if (target.imageId === running.imageId) {
      throw new ButlerError('ROLLBACK_UNAVAILABLE', `${name} already runs ${target.reference}`);
    }
  }
  return { running, target };
}
