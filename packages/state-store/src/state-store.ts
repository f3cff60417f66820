import { existsSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type BuildOutcome, ensureStateDir } from '@devops-butler/core';
import { type Database, immediate, isDamaged, openPrivate, prepare, sqliteReason } from './database-file.js';
import {
  type DeploymentRecord,
  insertDeployment,
  selectCurrentDeployments,
  selectDeploymentHistory,
  selectDeploymentNames,
  selectDeploymentSettings,
  selectRollbackImageIds,
  upsertDeploymentSettings,
} from './deployment-history.js';
import { ON_ENGINE } from './engines.js';
import { clearManifestMarks, pendingHits, removeHits } from './hit-journal.js';
import { compressManifest, decodeManifest, type InputManifest } from './input-manifest.js';

export type { DeploymentRecord } from './deployment-history.js';
export { LOCAL_ENGINE } from './engines.js';

/** What a build decided: reused an image, built one, or was forced to build (core's `BuildOutcome`). */
export type Decision = BuildOutcome;

/** One build decision, as `butler build` made it. */
export interface BuildRecord {
  repo: string;
  tag: string;
  digest: string;
  decision: Decision;
  durationMs: number;
  imageId?: string | undefined;
  size?: number | undefined;
  /** The build context folder (for `butler why` by name). */
  context?: string | undefined;
  /** The engine it ran on, as DOCKER_HOST spells it (absent: the local socket). */
  engine?: string | undefined;
  /** ISO time. */
  at: string;
}

/** Build counts and times for one repository, from the recorded decisions. */
export interface RepoStats {
  repo: string;
  builds: number;
  hits: number;
  misses: number;
  forced: number;
  /** hits / builds, 0..1. */
  hitRate: number;
  /** Time spent in builds that built (misses and forced). */
  buildMs: number;
  /** Per hit: the repository's average build time minus the hit's own time. */
  savedMs: number;
  /** Builds that ended in an error (not in `builds`: they made no image). */
  failed: number;
  lastBuild: string;
}

/** A build that ended in an error: which repository, the error's code, how long it ran. */
export interface BuildFailureRecord {
  repo: string;
  code: string;
  durationMs: number;
  engine?: string | undefined;
  /** ISO time. */
  at: string;
}

/** Input manifests kept per repository: enough for `why` against any recent build. */
const MANIFESTS_PER_REPO = 50;
const FILE_NAME = 'butler.db';

/**
 * Butler's local state in SQLite (WAL): concurrent `butler` processes share it safely, a crash
 * leaves it consistent (every write is one transaction), and a damaged file is moved aside and
 * started afresh with a warning instead of blocking a build.
 */
export class StateStore {
  private db: Database;

  private constructor(
    readonly path: string,
    private readonly onWarning: (message: string) => void,
  ) {
    this.db = this.connect();
    this.foldJournaledHits();
  }

  /** Folds in the cache hits journaled as files since the store was last opened (hit-journal.ts). */
  private foldJournaledHits(): void {
    const stateDir = dirname(this.path);
    const { hits, broken } = pendingHits(stateDir);
    if (hits.length === 0 && broken.length === 0) return;
    this.guard(() =>
      immediate(this.db, () => {
        for (const { id, record, manifest } of hits) {
          this.insertBuild({ ...record, decision: 'reused' }, id);
          if (manifest !== undefined) this.storeManifest(record, () => compressManifest(manifest));
        }
      }),
    );
    removeHits(stateDir, [...hits.map((hit) => hit.id), ...broken]);
    if (broken.length === 0) return;
    clearManifestMarks(stateDir);
    this.onWarning(
      `${broken.length} unreadable cache-hit record(s) in ${join(stateDir, 'hits')} were dropped`,
    );
  }

  /** Opens (creating or upgrading) the store in `dir`. */
  static open(dir: string, options: { onWarning?: (message: string) => void } = {}): StateStore {
    const onWarning = options.onWarning ?? (() => undefined);
    const openToOthers = ensureStateDir(dir);
    if (openToOthers) onWarning(openToOthers);
    return new StateStore(join(dir, FILE_NAME), onWarning);
  }

  /**
   * Records a decision and, the first time a digest is seen, its input manifest (encoded, see
   * `encodeInputManifest`) — atomically. The manifest is made only then: on a cache hit it is
   * almost always stored already.
   */
  recordBuild(record: BuildRecord, manifest?: () => Buffer): void {
    this.guard(() =>
      immediate(this.db, () => {
        this.insertBuild(record);
        if (manifest) this.storeManifest(record, manifest);
      }),
    );
  }

  /** Stores the manifest of a record's digest unless it is stored; keeps a repository's newest. Inside the caller's transaction. */
  private storeManifest(record: BuildRecord, manifest: () => Buffer): void {
    if (this.db.prepare('SELECT 1 FROM manifests WHERE digest = ?').get(record.digest)) return;
    this.db
      .prepare('INSERT INTO manifests (digest, repo, created_at, body) VALUES (?, ?, ?, ?)')
      .run(record.digest, record.repo, record.at, manifest());
    this.db
      .prepare(
        `DELETE FROM manifests WHERE repo = ? AND digest NOT IN
           (SELECT digest FROM builds WHERE repo = ? ORDER BY id DESC LIMIT ${MANIFESTS_PER_REPO})`,
      )
      .run(record.repo, record.repo);
  }

  /**
   * One decision's row, and its image's last use; a journaled hit (`journalId`) is inserted once
   * however often it is folded. Inside the caller's transaction.
   */
  private insertBuild(record: BuildRecord, journalId?: string): void {
    const added = this.db
      .prepare(
        `INSERT ${journalId ? 'OR IGNORE ' : ''}INTO builds
           (repo, tag, digest, decision, duration_ms, image_id, size, context, engine, created_at, journal_id)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        record.repo,
        record.tag,
        record.digest,
        record.decision,
        Math.round(record.durationMs),
        record.imageId ?? null,
        record.size ?? null,
        record.context ?? null,
        record.engine ?? null,
        record.at,
        journalId ?? null,
      );
    if (added.changes === 0 || !record.imageId) return;
    // The newest use wins: a hit folded in late never moves it back.
    this.db
      .prepare(
        `INSERT INTO image_use (image_id, repo, last_used) VALUES (?, ?, ?)
         ON CONFLICT (image_id) DO UPDATE SET last_used = max(last_used, excluded.last_used)`,
      )
      .run(record.imageId, record.repo, record.at);
  }

  /** Records a build that failed, so `stats` counts it. */
  recordFailure(record: BuildFailureRecord): void {
    this.guard(() =>
      this.db
        .prepare(
          'INSERT INTO build_failures (repo, code, duration_ms, engine, created_at) VALUES (?, ?, ?, ?, ?)',
        )
        .run(record.repo, record.code, Math.round(record.durationMs), record.engine ?? null, record.at),
    );
  }

  /** The newest recorded decision for a repository (on `engine`, when given). */
  lastBuild(repo: string, engine?: string): BuildRecord | undefined {
    const row = this.guard(() =>
      this.db
        .prepare(`SELECT * FROM builds WHERE repo = @repo AND ${ON_ENGINE} ORDER BY id DESC LIMIT 1`)
        .get({ repo, engine: engine ?? null }),
    ) as BuildRow | undefined;
    return row && toRecord(row);
  }

  /** The newest build of a repository that has an input manifest other than `digest`. */
  previousManifest(repo: string, exceptDigest: string, engine?: string): InputManifest | undefined {
    const row = this.guard(() =>
      this.db
        .prepare(
          `SELECT m.body FROM builds b JOIN manifests m ON m.digest = b.digest
           WHERE b.repo = @repo AND b.digest <> @digest AND ${ON_ENGINE} ORDER BY b.id DESC LIMIT 1`,
        )
        .get({ repo, digest: exceptDigest, engine: engine ?? null }),
    ) as { body: Uint8Array } | undefined;
    return row && decodeManifest(row.body);
  }

  /** The input manifest recorded for a content hash. */
  manifest(digest: string): InputManifest | undefined {
    const row = this.guard(() =>
      this.db.prepare('SELECT body FROM manifests WHERE digest = ?').get(digest),
    ) as { body: Uint8Array } | undefined;
    return row && decodeManifest(row.body);
  }

  /** Per-repository numbers (all repositories, or the one asked for; on `engine`, when given), by name. */
  stats(repo?: string, engine?: string): RepoStats[] {
    const rows = this.guard(() =>
      this.db
        .prepare(
          `WITH per AS (
             SELECT repo,
                    count(*) AS builds,
                    sum(decision = 'reused') AS hits,
                    sum(decision = 'built') AS misses,
                    sum(decision = 'forced') AS forced,
                    coalesce(sum(CASE WHEN decision <> 'reused' THEN duration_ms END), 0) AS build_ms,
                    avg(CASE WHEN decision <> 'reused' THEN duration_ms END) AS avg_build_ms,
                    max(created_at) AS last_build
             FROM builds WHERE (@repo IS NULL OR repo = @repo) AND ${ON_ENGINE} GROUP BY repo)
           SELECT per.*,
                  coalesce((SELECT sum(max(0, per.avg_build_ms - b.duration_ms)) FROM builds b
                            WHERE b.repo = per.repo AND b.decision = 'reused' AND ${ON_ENGINE}), 0) AS saved_ms
           FROM per ORDER BY repo`,
        )
        .all({ repo: repo ?? null, engine: engine ?? null }),
    ) as StatsRow[];
    const failures = this.guard(() =>
      this.db
        .prepare(
          `SELECT repo, count(*) AS failed, max(created_at) AS last_failure FROM build_failures
           WHERE (@repo IS NULL OR repo = @repo) AND ${ON_ENGINE} GROUP BY repo`,
        )
        .all({ repo: repo ?? null, engine: engine ?? null }),
    ) as { repo: string; failed: number; last_failure: string }[];
    const failedBy = new Map(failures.map((f) => [f.repo, f]));
    // A repository whose every build failed has no decisions, but it has numbers to show.
    for (const f of failures) {
      if (!rows.some((row) => row.repo === f.repo)) {
        rows.push({
          repo: f.repo,
          builds: 0,
          hits: 0,
          misses: 0,
          forced: 0,
          build_ms: 0,
          saved_ms: 0,
          last_build: f.last_failure,
        });
      }
    }
    rows.sort((a, b) => (a.repo < b.repo ? -1 : a.repo > b.repo ? 1 : 0));
    return rows.map((row) => ({
      repo: row.repo,
      builds: row.builds,
      hits: row.hits,
      misses: row.misses,
      forced: row.forced,
      hitRate: row.builds === 0 ? 0 : row.hits / row.builds,
      buildMs: row.build_ms,
      savedMs: Math.round(row.saved_ms),
      failed: failedBy.get(row.repo)?.failed ?? 0,
      lastBuild:
        (failedBy.get(row.repo)?.last_failure ?? '') > row.last_build
          ? (failedBy.get(row.repo)?.last_failure as string)
          : row.last_build,
    }));
  }

  recordDeployment(record: DeploymentRecord): void {
    this.guard(() => insertDeployment(this.db, record));
  }

  /** A deployment's remembered options (JSON the deploy package defines), or undefined. */
  deploymentSettings(name: string): unknown {
    return this.guard(() => selectDeploymentSettings(this.db, name));
  }

  /** Replaces a deployment's remembered options; `keepVersions` is how many versions keep their images. */
  saveDeploymentSettings(
    name: string,
    settings: unknown,
    keepVersions: number | undefined,
    at: string,
  ): void {
    this.guard(() => upsertDeploymentSettings(this.db, name, settings, keepVersions, at));
  }

  /** The images of each current deployment's last versions: retention keeps them for `butler rollback`. */
  rollbackImageIds(defaultKeep: number): Set<string> {
    return this.guard(() => selectRollbackImageIds(this.db, defaultKeep));
  }

  /** What runs now, per deployment name (see `selectCurrentDeployments`); with `engine`, only there. */
  currentDeployments(engine?: string): DeploymentRecord[] {
    return this.guard(() => selectCurrentDeployments(this.db, engine));
  }

  /** Every deployment name ever recorded (undeployed ones too), by name. */
  deploymentNames(): string[] {
    return this.guard(() => selectDeploymentNames(this.db));
  }

  /** Every attempt for one deployment name, newest first. */
  deploymentHistory(name: string, limit = 20): DeploymentRecord[] {
    return this.guard(() => selectDeploymentHistory(this.db, name, limit));
  }

  /**
   * IDs of the images Butler built on this machine (not reused ones): retention may remove such
   * an image after it lost its tags (a forced rebuild moves the tag to the new image).
   */
  builtImageIds(engine?: string): Set<string> {
    const rows = this.guard(() =>
      this.db
        .prepare(
          `SELECT DISTINCT image_id FROM builds WHERE decision IN ('built', 'forced') AND image_id IS NOT NULL AND ${ON_ENGINE}`,
        )
        .all({ engine: engine ?? null }),
    ) as { image_id: string }[];
    return new Set(rows.map((row) => row.image_id));
  }

  /** Image ID → when a build last produced or reused it (for least-recently-used retention). */
  lastUsed(): Map<string, string> {
    const rows = this.guard(() => this.db.prepare('SELECT image_id, last_used FROM image_use').all()) as {
      image_id: string;
      last_used: string;
    }[];
    return new Map(rows.map((row) => [row.image_id, row.last_used]));
  }

  close(): void {
    this.db.close();
  }

  private connect(): Database {
    try {
      return prepare(openPrivate(this.path));
    } catch (error) {
      if (!isDamaged(error)) throw error;
      return prepare(this.startAfresh(error));
    }
  }

  /** Runs a statement; a database found damaged mid-way is replaced and the statement retried once. */
  private guard<T>(run: () => T): T {
    try {
      return run();
    } catch (error) {
      if (!isDamaged(error)) throw error;
      this.db.close();
      this.db = prepare(this.startAfresh(error));
      return run();
    }
  }

  private startAfresh(error: unknown): Database {
    const aside = `${this.path}.damaged-${Date.now()}`;
    for (const suffix of ['', '-wal', '-shm']) {
      if (existsSync(this.path + suffix)) renameSync(this.path + suffix, aside + suffix);
    }
    this.onWarning(
      `the state database was damaged (${sqliteReason(error)}): moved to ${aside}, starting afresh — build history before now is not in stats or why`,
    );
    return openPrivate(this.path);
  }
}

interface BuildRow {
  repo: string;
  tag: string;
  digest: string;
  decision: Decision;
  duration_ms: number;
  image_id: string | null;
  size: number | null;
  context: string | null;
  engine: string | null;
  created_at: string;
}

interface StatsRow {
  repo: string;
  builds: number;
  hits: number;
  misses: number;
  forced: number;
  build_ms: number;
  saved_ms: number;
  last_build: string;
}

function toRecord(row: BuildRow): BuildRecord {
  return {
    repo: row.repo,
    tag: row.tag,
    digest: row.digest,
    decision: row.decision,
    durationMs: row.duration_ms,
    imageId: row.image_id ?? undefined,
    size: row.size ?? undefined,
    context: row.context ?? undefined,
    ...(row.engine ? { engine: row.engine } : {}),
    at: row.created_at,
  };
}
