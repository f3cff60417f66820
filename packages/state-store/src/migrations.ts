import { type Database, immediate, userVersion } from './database-file.js';

/**
 * Schema versions, applied in order inside one transaction each; `PRAGMA user_version` records
 * the last one applied. Never edit a released migration: add the next one.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: build decisions, input manifests (by content hash), image use.
  `CREATE TABLE builds (
     id INTEGER PRIMARY KEY,
     repo TEXT NOT NULL,
     tag TEXT NOT NULL,
     digest TEXT NOT NULL,
     decision TEXT NOT NULL CHECK (decision IN ('hit', 'miss', 'forced')),
     duration_ms INTEGER NOT NULL,
     image_id TEXT,
     size INTEGER,
     context TEXT,
     created_at TEXT NOT NULL
   );
   CREATE INDEX builds_by_repo ON builds (repo, id);
   CREATE TABLE manifests (
     digest TEXT PRIMARY KEY,
     repo TEXT NOT NULL,
     created_at TEXT NOT NULL,
     body BLOB NOT NULL
   );
   CREATE TABLE image_use (
     image_id TEXT PRIMARY KEY,
     repo TEXT NOT NULL,
     last_used TEXT NOT NULL
   );`,
  // 2: deployments: which commit and image each deployed container runs, and failed attempts.
  `CREATE TABLE deployments (
     id INTEGER PRIMARY KEY,
     name TEXT NOT NULL,
     repo TEXT NOT NULL,
     source TEXT NOT NULL,
     commit_sha TEXT,
     image_id TEXT NOT NULL,
     reference TEXT NOT NULL,
     container_id TEXT,
     outcome TEXT NOT NULL CHECK (outcome IN ('deployed', 'unchanged', 'failed', 'undeployed')),
     created_at TEXT NOT NULL
   );
   CREATE INDEX deployments_by_name ON deployments (name, id);`,
  // 3: rollbacks beside deploys, and each deployment's remembered options (ports, env, volumes…).
  `ALTER TABLE deployments ADD COLUMN action TEXT NOT NULL DEFAULT 'deploy' CHECK (action IN ('deploy', 'rollback'));
   CREATE TABLE deployment_settings (
     name TEXT PRIMARY KEY,
     settings TEXT NOT NULL,
     keep_versions INTEGER,
     updated_at TEXT NOT NULL
   );`,
  // 4: builds that failed (no image, so not a decision): counted by stats.
  `CREATE TABLE build_failures (
     id INTEGER PRIMARY KEY,
     repo TEXT NOT NULL,
     code TEXT NOT NULL,
     duration_ms INTEGER NOT NULL,
     created_at TEXT NOT NULL
   );
   CREATE INDEX build_failures_by_repo ON build_failures (repo, id);`,
  // 5: how long a deploy paused the service to hand a writable volume over.
  `ALTER TABLE deployments ADD COLUMN paused_ms INTEGER;`,
  // 6: which engine each build ran on (its address; NULL before: the local socket), so two
  // engines' histories do not mix.
  `ALTER TABLE builds ADD COLUMN engine TEXT;
   ALTER TABLE build_failures ADD COLUMN engine TEXT;`,
  // 7: a deployment names its target (this machine's containers, a Swarm service) and what the
  // target placed (a container's or a service's ID), and the engine it was placed through.
  `ALTER TABLE deployments RENAME COLUMN container_id TO placed;
   ALTER TABLE deployments ADD COLUMN target TEXT NOT NULL DEFAULT 'host' CHECK (target IN ('host', 'swarm'));
   ALTER TABLE deployments ADD COLUMN engine TEXT;`,
  // 8: a build's outcome in the words the rest of Butler uses (reused, built, forced — was hit,
  // miss, forced). SQLite cannot change a CHECK in place: the table is made again, rows mapped.
  `CREATE TABLE builds_v8 (
     id INTEGER PRIMARY KEY,
     repo TEXT NOT NULL,
     tag TEXT NOT NULL,
     digest TEXT NOT NULL,
     decision TEXT NOT NULL CHECK (decision IN ('reused', 'built', 'forced')),
     duration_ms INTEGER NOT NULL,
     image_id TEXT,
     size INTEGER,
     context TEXT,
     created_at TEXT NOT NULL,
     engine TEXT
   );
   INSERT INTO builds_v8 (id, repo, tag, digest, decision, duration_ms, image_id, size, context, created_at, engine)
     SELECT id, repo, tag, digest,
            CASE decision WHEN 'hit' THEN 'reused' WHEN 'miss' THEN 'built' ELSE decision END,
            duration_ms, image_id, size, context, created_at, engine
     FROM builds;
   DROP TABLE builds;
   ALTER TABLE builds_v8 RENAME TO builds;
   CREATE INDEX builds_by_repo ON builds (repo, id);`,
  // 9: cache hits journaled as files (hit-journal.ts) carry their file's id, so folding one twice
  // (a fold stopped between its commit and its deletes) inserts it once.
  `ALTER TABLE builds ADD COLUMN journal_id TEXT;
   CREATE UNIQUE INDEX builds_by_journal_id ON builds (journal_id) WHERE journal_id IS NOT NULL;`,
];

/** Brings the database to the newest schema version. */
export function migrate(db: Database): void {
  const version = () => userVersion(db);
  if (version() > MIGRATIONS.length) {
    throw new Error(`the state database has schema version ${version()}, newer than this Butler knows`);
  }
  MIGRATIONS.forEach((sql, index) => {
    if (version() > index) return;
    // The version is read again under the write lock: another butler process may have just migrated.
    immediate(db, () => {
      if (version() > index) return;
      db.exec(sql);
      db.exec(`PRAGMA user_version = ${index + 1}`);
    });
  });
}
