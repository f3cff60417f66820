import { execFile } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { useEngineFixture, useTempDirs } from '@devops-butler/test-support';
import { describe, expect, test } from 'vitest';
import { runButler } from './cli-runner.fixture.js';

const run = promisify(execFile);
const lock = (express: string) =>
  JSON.stringify({
    lockfileVersion: 3,
    packages: { '': { name: 'app' }, 'node_modules/express': { version: express } },
  });
const fx = useEngineFixture('history', ({ from }) => ({
  Dockerfile: `${from}ARG MODE=prod\nCOPY package.json package-lock.json /app/\nCOPY src/ /app/src/\nRUN echo "$MODE" > /mode\n`,
  'package.json': JSON.stringify({ name: 'app', dependencies: { express: '^4.18.0' } }),
  'package-lock.json': lock('4.18.2'),
  'src/main.js': 'console.log(1)\n',
  'src/util.js': 'export {}\n',
}));

async function butler(...args: string[]) {
  return runButler(args, { env: { ...process.env, BUTLER_STATE_DIR: fx.stateDir }, cwd: process.cwd() });
}
const build = async (...extra: string[]) => {
  const result = await butler('build', fx.tree.dir, '--repo', fx.repo, '--json', '--no-cleanup', ...extra);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout);
};
const why = async () => JSON.parse((await butler('why', fx.tree.dir, '--repo', fx.repo, '--json')).stdout);

describe('butler why', () => {
  test('says "unchanged" when the inputs hash as latest does, and names each kind of change', async () => {
    expect((await why()).against).toBeNull();
    await build();
    const same = await why();
    expect(same).toMatchObject({ unchanged: true, against: { source: 'latest' } });
    expect((await butler('why', fx.tree.dir, '--repo', fx.repo)).stdout).toMatch(
      /^Unchanged: the inputs hash to [0-9a-f]{12}/,
    );

    await fx.tree.write({
      'src/main.js': 'console.log(2)\n',
      'src/new.js': 'new\n',
      'package-lock.json': lock('4.19.0'),
      Dockerfile: `${fx.from}ARG MODE=prod\nCOPY package.json package-lock.json /app/\nCOPY src/ /app/src/\nRUN echo "$MODE" >  /mode\n`,
    });
    await run('rm', [`${fx.tree.dir}/src/util.js`]);
    const changed = await why();
    expect(changed.unchanged).toBe(false);
    expect(changed.diff.files).toEqual({
      added: ['src/new.js'],
      removed: ['src/util.js'],
      changed: [
        { path: 'package-lock.json', what: 'content' },
        { path: 'src/main.js', what: 'content' },
      ],
    });
    expect(changed.diff.dockerfile).toEqual({
      removed: ['RUN echo "$MODE" > /mode'],
      added: ['RUN echo "$MODE" >  /mode'],
    });
    expect(changed.diff.dependencies).toEqual([
      { ecosystem: 'npm', name: 'express', from: '4.18.2', to: '4.19.0' },
    ]);
    const text = (await butler('why', fx.tree.dir, '--repo', fx.repo, '--build-arg', 'MODE=dev')).stdout;
    expect(text).toContain('npm: express 4.18.2 → 4.19.0');
    expect(text).toContain('build arg MODE: added (dev)');
    expect(text).toContain('~ src/main.js (content)');
  });

  test('a file that only became executable is named as such', async () => {
    await build();
    await run('chmod', ['+x', `${fx.tree.dir}/src/util.js`]);
    expect((await why()).diff.files.changed).toEqual([{ path: 'src/util.js', what: 'now executable' }]);
  });
});

const tempDir = useTempDirs();

test('the first hit with a new state folder (a fresh CI checkout) opens no database; stats and why still see it', async () => {
  await build();
  const stateDir = tempDir('butler-history-fresh-');
  const inFresh = (...args: string[]) =>
    runButler(args, { env: { ...process.env, BUTLER_STATE_DIR: stateDir }, cwd: process.cwd() });
  const hit = await inFresh('build', fx.tree.dir, '--repo', fx.repo, '--json', '--no-cleanup');
  expect(hit.code, hit.stderr).toBe(0);
  expect(JSON.parse(hit.stdout).outcome).toBe('reused');
  // Journaled with the text of its input manifest: no database was created for it.
  expect(existsSync(join(stateDir, 'butler.db'))).toBe(false);
  expect(readdirSync(join(stateDir, 'hits')).filter((name) => name.endsWith('.json'))).toHaveLength(1);

  // The next command that opens the store folds the hit and its manifest in, before it answers.
  await fx.tree.write({ 'src/main.js': 'console.log(5)\n' });
  const why = JSON.parse((await inFresh('why', fx.tree.dir, '--repo', fx.repo, '--json')).stdout);
  expect(why.diff.files).toEqual({
    added: [],
    removed: [],
    changed: [{ path: 'src/main.js', what: 'content' }],
  });
  const stats = JSON.parse((await inFresh('stats', '--repo', fx.repo, '--json')).stdout);
  expect(stats.repositories[0]).toMatchObject({ builds: 1, hits: 1, misses: 0 });
  expect(readdirSync(join(stateDir, 'hits')).filter((name) => name.endsWith('.json'))).toEqual([]);
});

test('stats count a scripted sequence of hits, misses and forced builds exactly', async () => {
  await build(); // miss
  await build(); // hit
  await build(); // hit
  await fx.tree.write({ 'src/main.js': 'console.log(3)\n' });
  await build(); // miss
  await build('--force'); // forced
  await build(); // hit
  const { repositories } = JSON.parse((await butler('stats', '--repo', fx.repo, '--json')).stdout);
  expect(repositories).toHaveLength(1);
  expect(repositories[0]).toMatchObject({
    repo: fx.repo,
    builds: 6,
    hits: 3,
    misses: 2,
    forced: 1,
    hitRate: 0.5,
    // two hashes, and the image the forced build replaced (untagged, left for retention)
    disk: { images: 3 },
  });
  expect(repositories[0].savedMs).toBeGreaterThan(0);
  const table = (await butler('stats', '--repo', fx.repo)).stdout;
  expect(table).toMatch(new RegExp(`^${fx.repo}\\s+3\\s+.*\\s6\\s+3\\s+2\\s+1\\s+0\\s+50%`, 'm'));
});

test('list and details show what the images are and where latest points', async () => {
  const first = await build();
  await fx.tree.write({ 'src/main.js': 'console.log(4)\n' });
  const second = await build();
  const { images } = JSON.parse((await butler('list', '--repo', fx.repo, '--json')).stdout);
  expect(images.map((i: { hash: string; latest: boolean }) => [i.hash, i.latest])).toEqual([
    [second.target.tag, true],
    [first.target.tag, false],
  ]);
  expect((await butler('list', '--repo', fx.repo)).stdout).toMatch(
    new RegExp(`${second.target.tag}\\s+${second.image.id.slice(7, 19)}.*latest`),
  );

  const details = JSON.parse((await butler('details', `${fx.repo}:${first.target.tag}`, '--json')).stdout);
  expect(details).toMatchObject({
    id: first.image.id,
    tags: [`local-registry/${fx.repo}:${first.target.tag}`],
    managed: true,
    contentHash: `sha256:${first.target.digest}`,
    dependencies: { npm: { direct: { express: '4.18.2' } } },
  });
  expect(
    details.layers.some((l: { createdBy: string }) => l.createdBy.includes('echo "$MODE" > /mode')),
  ).toBe(true);
  const text = (await butler('details', fx.repo)).stdout;
  expect(text).toContain(`local-registry/${fx.repo}:latest`);
  expect(text).toContain('npm (1 direct, 0 transitive): express 4.18.2');
  const missing = await butler('details', `${fx.repo}:000000000000`);
  expect(missing.code).toBe(1);
  expect(missing.stderr).toMatch(/✖ no image local-registry\/.*:000000000000 — butler list shows/);
});

test('8 concurrent butler build processes: one engine build, every decision recorded', async () => {
  const results = await Promise.all(Array.from({ length: 8 }, () => build()));
  expect(results.filter((r) => r.outcome === 'built')).toHaveLength(1);
  const { repositories } = JSON.parse((await butler('stats', '--repo', fx.repo, '--json')).stdout);
  expect(repositories[0]).toMatchObject({ builds: 8, hits: 7, misses: 1 });
});

test('a truncated state database is a warning: the build goes on and is recorded in a fresh store', async () => {
  await build();
  const { truncate } = await import('node:fs/promises');
  await truncate(`${fx.stateDir}/butler.db`, 512);
  // A hit is journaled without opening the store; the next command that opens it finds the damage.
  const result = await butler('build', fx.tree.dir, '--repo', fx.repo, '--no-cleanup');
  expect(result.code).toBe(0);
  const stats = await butler('stats', '--repo', fx.repo, '--json');
  expect(`${result.stderr}${stats.stderr}`).toMatch(/⚠️ the state database was damaged .* starting afresh/);
  expect(JSON.parse(stats.stdout).repositories[0]).toMatchObject({ builds: 1, hits: 1 });
  // A miss opens the store itself: damaged again, its build says so.
  await truncate(`${fx.stateDir}/butler.db`, 512);
  writeFileSync(join(fx.tree.dir, 'src/changed.txt'), 'new\n');
  const miss = await butler('build', fx.tree.dir, '--repo', fx.repo, '--no-cleanup');
  expect(miss.code).toBe(0);
  expect(miss.stderr).toMatch(/⚠️ the state database was damaged .* starting afresh/);
});
