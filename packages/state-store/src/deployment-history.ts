import type { Database } from './database-file.js';
import { ON_ENGINE } from './engines.js';

/** One deploy attempt, or an undeploy. No credentials: `source` is the URL without them. */
export interface DeploymentRecord {
  /** The container's canonical name. */
  name: string;
  repo: string;
  source: string;
  commit?: string | undefined;
  imageId: string;
  /** `local-registry/app:3f2a…` */
  reference: string;
  /** Where it runs: this machine's containers (`host`, the default) or a Swarm service. */
  target?: 'host' | 'swarm' | undefined;
  /** What the target placed: the container's or the service's ID. */
  placed?: string | undefined;
  /** The engine it was placed through, as DOCKER_HOST spells it (absent: the local socket). */
  engine?: string | undefined;
  outcome: 'deployed' | 'unchanged' | 'failed' | 'undeployed';
  /** `rollback`: `butler rollback` put an earlier version back (default `deploy`). */
  action?: 'deploy' | 'rollback' | undefined;
  /** How long it paused the service to hand a writable volume over (ms); absent when it did not. */
  pausedMs?: number | undefined;
  /** ISO time. */
  at: string;
}

/** Records one deploy attempt (or an undeploy). */
export function insertDeployment(db: Database, record: DeploymentRecord): void {
  db.prepare(
    `INSERT INTO deployments (name, repo, source, commit_sha, image_id, reference, target, placed, engine, outcome, action, paused_ms, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    record.name,
    record.repo,
    record.source,
    record.commit ?? null,
    record.imageId,
    record.reference,
    record.target ?? 'host',
    record.placed ?? null,
    record.engine ?? null,
    record.outcome,
    record.action ?? 'deploy',
    record.pausedMs === undefined ? null : Math.round(record.pausedMs),
    record.at,
  );
}

/** A deployment's remembered options (JSON the deploy package defines), or undefined. */
export function selectDeploymentSettings(db: Database, name: string): unknown {
  const row = db.prepare('SELECT settings FROM deployment_settings WHERE name = ?').get(name) as
    | { settings: string }
    | undefined;
  return row ? JSON.parse(row.settings) : undefined;
}

/** Replaces a deployment's remembered options; `keepVersions` is how many versions keep their images. */
export function upsertDeploymentSettings(
  db: Database,
  name: string,
  settings: unknown,
  keepVersions: number | undefined,
  at: string,
): void {
  db.prepare(
    `INSERT INTO deployment_settings (name, settings, keep_versions, updated_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (name) DO UPDATE SET settings = excluded.settings,
       keep_versions = excluded.keep_versions, updated_at = excluded.updated_at`,
  ).run(name, JSON.stringify(settings), keepVersions ?? null, at);
}

/**
 * The images of each current deployment's last versions (those that went live, newest first,
 * each image once): `keep_versions` of them per deployment, else `defaultKeep`.
 */
export function selectRollbackImageIds(db: Database, defaultKeep: number): Set<string> {
  const ids = new Set<string>();
  for (const { name } of selectCurrentDeployments(db)) {
    const keep = (
      db.prepare('SELECT keep_versions FROM deployment_settings WHERE name = ?').get(name) as
        | { keep_versions: number | null }
        | undefined
    )?.keep_versions;
    const rows = db
      .prepare(
        `SELECT image_id FROM deployments WHERE name = ? AND outcome IN ('deployed', 'unchanged') ORDER BY id DESC`,
      )
      .all(name) as { image_id: string }[];
    for (const id of [...new Set(rows.map((row) => row.image_id))].slice(0, keep ?? defaultKeep)) ids.add(id);
  }
  return ids;
}

/**
 * What runs now: per deployment name, the newest successful deploy, unless an undeploy came
 * after it. Failed attempts do not change what runs. With `engine`, only those placed through it.
 */
export function selectCurrentDeployments(db: Database, engine?: string): DeploymentRecord[] {
  const rows = db
    .prepare(
      `SELECT * FROM deployments d WHERE id = (
         SELECT MAX(id) FROM deployments WHERE name = d.name AND outcome != 'failed')
       AND outcome != 'undeployed' AND ${ON_ENGINE} ORDER BY name`,
    )
    .all({ engine: engine ?? null }) as DeploymentRow[];
  return rows.map(fromDeploymentRow);
}

/** Every deployment name ever recorded (undeployed ones too), by name. */
export function selectDeploymentNames(db: Database): string[] {
  const rows = db.prepare('SELECT DISTINCT name FROM deployments ORDER BY name').all() as { name: string }[];
  return rows.map((row) => row.name);
}

/** Every attempt for one deployment name, newest first. */
export function selectDeploymentHistory(db: Database, name: string, limit: number): DeploymentRecord[] {
  const rows = db
    .prepare('SELECT * FROM deployments WHERE name = ? ORDER BY id DESC LIMIT ?')
    .all(name, limit) as DeploymentRow[];
  return rows.map(fromDeploymentRow);
}

interface DeploymentRow {
  name: string;
  repo: string;
  source: string;
  commit_sha: string | null;
  image_id: string;
  reference: string;
  target: 'host' | 'swarm';
  placed: string | null;
  engine: string | null;
  outcome: DeploymentRecord['outcome'];
  action: 'deploy' | 'rollback';
  paused_ms: number | null;
  created_at: string;
}

function fromDeploymentRow(row: DeploymentRow): DeploymentRecord {
  return {
    name: row.name,
    repo: row.repo,
    source: row.source,
    commit: row.commit_sha ?? undefined,
    imageId: row.image_id,
    reference: row.reference,
    target: row.target,
    ...(row.placed !== null ? { placed: row.placed } : {}),
    ...(row.engine !== null ? { engine: row.engine } : {}),
    outcome: row.outcome,
    ...(row.action === 'rollback' ? { action: 'rollback' as const } : {}),
    ...(row.paused_ms !== null ? { pausedMs: row.paused_ms } : {}),
    at: row.created_at,
  };
}
