import { mkdtempSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useTempDirs } from '@devops-butler/test-support';
import { expect, test } from 'vitest';
import { encodeManifest, type InputManifest } from './input-manifest.js';
import { MIGRATIONS } from './migrations.js';
import { type BuildRecord, type DeploymentRecord, LOCAL_ENGINE, StateStore } from './state-store.js';

// Node's SQLite, as the store opens it (typed by database-file.ts: the project's @types/node predates it).
const { DatabaseSync } = process.getBuiltinModule('node:sqlite') as {
  DatabaseSync: new (path: string) => import('./database-file.js').Database;
};

const tempDir = useTempDirs();
const stateDir = () => tempDir('butler-store-');

const record = (
  decision: BuildRecord['decision'],
  durationMs: number,
  repo = 'app',
  digest = 'd1',
): BuildRecord => ({
  repo,
  tag: digest.slice(0, 12),
  digest,
  decision,
  durationMs,
  imageId: `sha256:${digest}`,
  at: new Date().toISOString(),
});

const manifest = (digest: string): InputManifest => ({
  digest,
  dockerfile: 'FROM scratch\n',
  buildArgs: {},
  target: '',
  platform: '',
  images: {},
  contributions: {},
  files: { 'a.txt': 'file - abc' },
  dependencies: {},
});

test('stats count every decision exactly and estimate the time reuse saved', () => {
  const store = StateStore.open(stateDir());
  for (const r of [
    record('built', 10_000),
    record('reused', 300),
    record('reused', 500),
    record('forced', 14_000),
    record('reused', 200),
  ])
    store.recordBuild(r);
  store.recordBuild(record('built', 5000, 'other'));
  expect(store.stats('app')).toEqual([
    {
      repo: 'app',
      builds: 5,
      hits: 3,
      misses: 1,
      forced: 1,
      hitRate: 0.6,
      buildMs: 24_000,
      // the average build took 12 s; the three hits took 1 s together
      savedMs: 3 * 12_000 - 1000,
      failed: 0,
      lastBuild: expect.any(String),
    },
  ]);
  expect(store.stats().map((s) => s.repo)).toEqual(['app', 'other']);
  // A failed build made no image: it is counted apart, and never as a decision.
  store.recordFailure({ repo: 'app', code: 'BUILD_FAILED', durationMs: 900, at: new Date().toISOString() });
  store.recordFailure({
    repo: 'broken',
    code: 'BUILD_FAILED',
    durationMs: 500,
    at: new Date().toISOString(),
  });
  expect(store.stats('app')).toMatchObject([{ builds: 5, hits: 3, failed: 1 }]);
  expect(store.stats().map((s) => [s.repo, s.builds, s.failed])).toEqual([
    ['app', 5, 1],
    ['broken', 0, 1],
    ['other', 1, 0],
  ]);
  store.close();
});

test('manifests are stored once per digest and found again', () => {
  const store = StateStore.open(stateDir());
  store.recordBuild(record('built', 1000, 'app', 'd1'), () => encodeManifest(manifest('d1')));
  store.recordBuild(record('reused', 100, 'app', 'd1'), () => encodeManifest(manifest('d1')));
  store.recordBuild(record('built', 1000, 'app', 'd2'), () => encodeManifest(manifest('d2')));
  expect(store.manifest('d1')).toEqual(manifest('d1'));
  expect(store.previousManifest('app', 'd2')?.digest).toBe('d1');
  expect(store.lastBuild('app')).toMatchObject({ digest: 'd2', decision: 'built' });
  expect(store.lastUsed().get('sha256:d1')).toBeDefined();
  store.close();
});

test('a truncated database is moved aside with a warning and the store starts afresh', () => {
  const dir = stateDir();
  const first = StateStore.open(dir);
  first.recordBuild(record('built', 1000));
  first.close();
  const path = join(dir, 'butler.db');
  truncateSync(path, 1000);
  const warnings: string[] = [];
  const store = StateStore.open(dir, { onWarning: (w) => warnings.push(w) });
  expect(warnings).toEqual([expect.stringMatching(/state database was damaged .*starting afresh/)]);
  expect(store.stats()).toEqual([]);
  store.recordBuild(record('reused', 100));
  expect(store.stats()[0]?.builds).toBe(1);
  expect(readdirSync(dir).some((name) => name.startsWith('butler.db.damaged-'))).toBe(true);
  store.close();
});

test('a file that is not a database at all is replaced the same way; a deleted one is recreated', () => {
  const dir = stateDir();
  writeFileSync(join(dir, 'butler.db'), 'this is not sqlite'.repeat(100));
  const warnings: string[] = [];
  StateStore.open(dir, { onWarning: (w) => warnings.push(w) }).close();
  expect(warnings).toHaveLength(1);
  rmSync(join(dir, 'butler.db'));
  const store = StateStore.open(dir, { onWarning: (w) => warnings.push(w) });
  store.recordBuild(record('built', 1));
  expect(warnings).toHaveLength(1);
  store.close();
});

const deployment = (
  name: string,
  image: string,
  outcome: DeploymentRecord['outcome'],
  action?: DeploymentRecord['action'],
): DeploymentRecord => ({
  name,
  repo: name,
  source: `file:///repos/${name}.git`,
  commit: image.padEnd(40, '0'),
  imageId: `sha256:${image}`,
  reference: `local-registry/${name}:${image}`,
  outcome,
  action,
  at: new Date().toISOString(),
});

test("retention keeps the images of each deployment's last versions for rollback (3, or what the deployment says)", () => {
  const store = StateStore.open(stateDir());
  for (const image of ['a1', 'a2', 'a3', 'a4', 'a5'])
    store.recordDeployment(deployment('api', image, 'deployed'));
  store.recordDeployment(deployment('api', 'a6', 'failed'));
  store.recordDeployment(deployment('api', 'a2', 'deployed', 'rollback'));
  expect(store.deploymentHistory('api')[0]?.action).toBe('rollback');
  // Newest first, each image once: a2 (rolled back to), a5, a4 — the failed a6 never ran.
  expect([...store.rollbackImageIds(3)].sort()).toEqual(['sha256:a2', 'sha256:a4', 'sha256:a5']);
  store.saveDeploymentSettings('api', { ports: [] }, 1, new Date().toISOString());
  expect([...store.rollbackImageIds(3)]).toEqual(['sha256:a2']);
  expect(store.deploymentSettings('api')).toEqual({ ports: [] });
  expect(store.deploymentSettings('web')).toBeUndefined();
  // An undeployed deployment has nothing to roll back to.
  store.recordDeployment(deployment('web', 'w1', 'deployed'));
  store.recordDeployment(deployment('web', 'w1', 'undeployed'));
  expect(store.rollbackImageIds(3).has('sha256:w1')).toBe(false);
  store.close();
});

test('a state folder from before rollbacks is migrated: its deployments read as deploys', async () => {
  const dir = stateDir();
  const { MIGRATIONS } = await import('./migrations.js');
  const db = new DatabaseSync(join(dir, 'butler.db'));
  for (const sql of MIGRATIONS.slice(0, 2)) db.exec(sql);
  db.exec('PRAGMA user_version = 2');
  db.prepare(
    `INSERT INTO deployments (name, repo, source, image_id, reference, outcome, created_at)
     VALUES ('api', 'api', '/src', 'sha256:old', 'local-registry/api:old', 'deployed', '2026-01-01T00:00:00Z')`,
  ).run();
  db.close();
  const store = StateStore.open(dir);
  expect(store.deploymentHistory('api')).toMatchObject([{ imageId: 'sha256:old', outcome: 'deployed' }]);
  expect(store.deploymentHistory('api')[0]?.action).toBeUndefined();
  expect([...store.rollbackImageIds(3)]).toEqual(['sha256:old']);
  store.close();
});

test('current deployments: the newest success per name; a failed attempt keeps the old one, undeploy ends it', () => {
  const store = StateStore.open(stateDir());
  const deploy = (name: string, image: string, outcome: DeploymentRecord['outcome']) =>
    store.recordDeployment(deployment(name, image, outcome));
  deploy('api', 'a1', 'deployed');
  deploy('web', 'b1', 'deployed');
  deploy('api', 'a2', 'failed');
  deploy('web', 'b2', 'deployed');
  deploy('web', 'b2', 'unchanged');
  deploy('old', 'c1', 'deployed');
  deploy('old', 'c1', 'undeployed');
  expect(store.currentDeployments().map((d) => [d.name, d.imageId, d.outcome])).toEqual([
    ['api', 'sha256:a1', 'deployed'],
    ['web', 'sha256:b2', 'unchanged'],
  ]);
  expect(store.deploymentHistory('api').map((d) => d.outcome)).toEqual(['failed', 'deployed']);
  store.close();
});

test('each engine has its own history: stats, the last build and built images; records without one are the local socket', () => {
  const dir = mkdtempSync(join(tmpdir(), 'butler-engines-'));
  try {
    const store = StateStore.open(dir);
    const record = (engine: string | undefined, decision: 'reused' | 'built', imageId: string) =>
      store.recordBuild({
        repo: 'app',
        tag: imageId.slice(7, 19).padEnd(12, '0'),
        digest: imageId,
        decision,
        durationMs: 1000,
        imageId,
        ...(engine ? { engine } : {}),
        at: new Date().toISOString(),
      });
    record(undefined, 'built', 'sha256:aaaa');
    record('ssh://ops@app1', 'built', 'sha256:bbbb');
    record('ssh://ops@app1', 'reused', 'sha256:bbbb');
    expect(store.stats('app', LOCAL_ENGINE)).toMatchObject([{ builds: 1, misses: 1, hits: 0 }]);
    expect(store.stats('app', 'ssh://ops@app1')).toMatchObject([{ builds: 2, misses: 1, hits: 1 }]);
    expect(store.stats('app')).toMatchObject([{ builds: 3 }]);
    expect(store.lastBuild('app', LOCAL_ENGINE)?.imageId).toBe('sha256:aaaa');
    expect(store.lastBuild('app', 'ssh://ops@app1')).toMatchObject({
      imageId: 'sha256:bbbb',
      engine: 'ssh://ops@app1',
    });
    expect([...store.builtImageIds('ssh://ops@app1')]).toEqual(['sha256:bbbb']);
    expect([...store.builtImageIds(LOCAL_ENGINE)]).toEqual(['sha256:aaaa']);
    store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a store from before outcomes were named as the rest of Butler names them keeps its history: hit → reused, miss → built', () => {
  const dir = stateDir();
  const old = new DatabaseSync(join(dir, 'butler.db'));
  for (const sql of MIGRATIONS.slice(0, 7)) old.exec(sql);
  old.exec('PRAGMA user_version = 7');
  const insert = old.prepare(
    `INSERT INTO builds (repo, tag, digest, decision, duration_ms, created_at) VALUES ('app', ?, ?, ?, ?, ?)`,
  );
  insert.run('d1', 'd1', 'miss', 4000, '2026-01-01T00:00:00.000Z');
  insert.run('d1', 'd1', 'hit', 100, '2026-01-01T00:01:00.000Z');
  insert.run('d2', 'd2', 'forced', 3000, '2026-01-01T00:02:00.000Z');
  old.close();
  const store = StateStore.open(dir);
  try {
    expect(store.lastBuild('app')).toMatchObject({ digest: 'd2', decision: 'forced' });
    expect(store.stats()).toEqual([
      expect.objectContaining({ repo: 'app', builds: 3, hits: 1, misses: 1, forced: 1 }),
    ]);
    store.recordBuild(record('reused', 50, 'app', 'd2'));
    expect(store.lastBuild('app')).toMatchObject({ decision: 'reused' });
  } finally {
    store.close();
  }
});
