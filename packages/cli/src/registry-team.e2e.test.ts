import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseRegistry, RegistryClient } from '@devops-butler/registry-cache';
import {
  freePort,
  OWNER_LABEL,
  removeRepoImages,
  useEngineFixture,
  useRegistryLab,
} from '@devops-butler/test-support';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { butlerBin as bin } from './cli-runner.fixture.js';

const run = promisify(execFile);

// Two machines (engine A, and B: a second dockerd) with their own state folders, one registry.
// FROM scratch + COPY: the same inputs hash the same on both; the images still differ (build
// times), as most real builds are not bit-for-bit reproducible.
const lab = useRegistryLab();
const fx = useEngineFixture('team-cache', ({ repo }) => ({
  Dockerfile: `FROM scratch\nLABEL ${OWNER_LABEL}=${repo}\nCOPY . /app/\n`,
  'app.txt': 'version 1\n',
}));

const registry = () => `${lab.registryHost}/team`;
const image = () => `${registry()}/${fx.repo}`;
let stateB: string;
beforeEach(async () => {
  stateB = await mkdtemp(join(tmpdir(), 'butler-state-b-'));
});
/** The IDs of this test's images on engine B (its owner label), each once. */
async function imagesOnB(): Promise<string[]> {
  const { stdout } = await run('docker', [
    ...['-H', lab.engineB, 'image', 'ls', '-q', '--no-trunc'],
    ...['--filter', `label=${OWNER_LABEL}=${fx.repo}`],
  ]);
  return [...new Set(stdout.split('\n').filter(Boolean))];
}
afterEach(async () => {
  await removeRepoImages(image());
  const ids = await imagesOnB();
  if (ids.length > 0)
    await run('docker', ['-H', lab.engineB, 'image', 'rm', '-f', ...ids]).catch(() => undefined);
  await rm(stateB, { recursive: true, force: true });
});

const envFor = (on: 'A' | 'B', registryRef = registry()) => ({
  ...process.env,
  BUTLER_REGISTRY: registryRef,
  BUTLER_STATE_DIR: on === 'A' ? fx.stateDir : stateB,
  ...(on === 'B' ? { DOCKER_HOST: lab.engineB } : {}),
});
const buildArgs = (...extra: string[]) => [
  bin,
  'build',
  fx.tree.dir,
  '--repo',
  fx.repo,
  '--no-cleanup',
  ...extra,
];

/** `butler build` on engine A or B as its own process. */
const build = (on: 'A' | 'B', ...extra: string[]) => run('node', buildArgs(...extra), { env: envFor(on) });
const buildJson = async (on: 'A' | 'B', ...extra: string[]) =>
  JSON.parse((await build(on, '--json', ...extra)).stdout) as {
    outcome: string;
    target: { tag: string; reference: string };
    image: { id: string };
    warnings: string[];
    remoteCache?: { messages: { level: string; text: string }[] };
  };

/** Starts a build that runs until `line` appears on its output; resolves with the process and its output so far. */
async function buildUntil(on: 'A' | 'B', line: string) {
  const child = spawn('node', buildArgs(), { env: envFor(on), stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise<number>((resolve) => child.once('exit', (code) => resolve(code ?? -1)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "${line}" in:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(line)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
  });
  return { child, exited, output: () => output };
}

const imageId = async (on: 'A' | 'B', reference: string) =>
  (
    await run('docker', [
      ...(on === 'B' ? ['-H', lab.engineB] : []),
      'image',
      'inspect',
      '-f',
      '{{.Id}}',
      reference,
    ])
  ).stdout.trim();
const client = () => new RegistryClient(parseRegistry(registry()), undefined);
const registryTags = async () => (await client().tags(`team/${fx.repo}`)).sort();
const registryDigest = async (tag: string) => (await client().manifest(`team/${fx.repo}`, tag))?.digest;

test('first writer wins: a machine that finds the hash pushed meanwhile uses that image instead of pushing over it', async () => {
  // B starts, misses in the registry, and is held while A builds and pushes the same hash.
  const b = await buildUntil('B', '🔨 No suitable existing image found');
  b.child.kill('SIGSTOP');
  const a = await buildJson('A');
  expect(a.outcome).toBe('built');
  const digestA = await registryDigest(a.target.tag);
  b.child.kill('SIGCONT');
  expect(await b.exited).toBe(0);
  expect(b.output()).toContain(`♻️ Another machine pushed ${a.target.reference} first; using it`);
  expect(b.output()).not.toContain('⬆️ Pushed');

  // One image for the hash everywhere: the registry's is A's, and B's tags name A's image.
  expect(await registryDigest(a.target.tag)).toBe(digestA);
  expect(await registryDigest('latest')).toBe(digestA);
  expect(await imageId('B', a.target.reference)).toBe(a.image.id);
  expect(await imageId('B', `${image()}:latest`)).toBe(a.image.id);
  // B's own build is gone, not left dangling.
  expect(await imagesOnB()).toEqual([a.image.id]);

  // --force is the exception: B's forced rebuild replaces the registry's image, and says so.
  const forced = await buildJson('B', '--force');
  expect(forced.outcome).toBe('forced');
  expect(forced.image.id).not.toBe(a.image.id);
  expect(forced.remoteCache?.messages.map((m) => m.text)).toContain(
    `⬆️ Forced rebuild: replaced ${a.target.reference} in ${lab.registryHost} with this build, and pushed :latest`,
  );
  expect(await registryDigest(a.target.tag)).not.toBe(digestA);
});

test('a local hit fills a registry that lacks the image, once, and never moves its latest', async () => {
  // Built while the cache was off: the registry has nothing.
  const local = await buildJson('A', '--remote-cache', 'off');
  expect(await registryTags().catch(() => [])).toEqual([]);
  const hit = await build('A');
  expect(hit.stdout).toContain(`⬆️ ${lab.registryHost} lacked ${local.target.reference}: pushed it`);
  expect(await registryTags()).toEqual([local.target.tag]);
  // Machine B reuses it from the registry now.
  expect((await buildJson('B')).image.id).toBe(local.image.id);
  // Once: the next hit does not ask again.
  const again = await build('A', '--verbose');
  expect(again.stdout).not.toContain('lacked');
});

test('a registry answering 500 is a warning and a local build', async () => {
  const server = createServer((_q, s) => {
    s.statusCode = 500;
    s.end('{"errors":[{"code":"UNKNOWN","message":"backend down"}]}');
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  try {
    const broken = `127.0.0.1:${port}/team`;
    const { stdout, stderr } = await run('node', buildArgs('--json'), { env: envFor('A', broken) });
    const result = JSON.parse(stdout) as { outcome: string; warnings: string[] };
    expect(result.outcome).toBe('built');
    expect(result.warnings.join('\n')).toMatch(
      new RegExp(`the registry 127\\.0\\.0\\.1:${port} .*building locally`),
    );
    expect(stderr).not.toMatch(/at .*\.js:\d+/); // no stack trace
  } finally {
    server.close();
    await removeRepoImages(`${`127.0.0.1:${port}/team`}/${fx.repo}`);
  }
});

test('a pull cut off midway leaves no tag on a partial image; a push cut off midway leaves no tag in the registry', async () => {
  // 24 MB that does not compress (32 MB as text): the transfers take long enough to be cut.
  await fx.tree.write({ 'big.bin': randomBytes(24 << 20).toString('base64') });
  const pushedByA = await buildJson('A');
  expect(await registryTags()).toEqual([pushedByA.target.tag, 'latest'].sort());

  // Mid-pull: B asks the registry, starts pulling, and the registry dies.
  const b = await buildUntil('B', '⬇️ Pulling');
  await lab.killRegistry();
  expect(await b.exited).toBe(0);
  expect(b.output()).toMatch(/building/);
  // B built it itself: its tag names an image whose content hash is the target's, not a partial pull.
  const labelOnB = await run('docker', [
    '-H',
    lab.engineB,
    'image',
    'inspect',
    '-f',
    '{{index .Config.Labels "devops-butler.content-hash"}}',
    pushedByA.target.reference,
  ]);
  expect(labelOnB.stdout.trim()).toMatch(new RegExp(`^sha256:${pushedByA.target.tag}`));
  await lab.startRegistry();

  // Mid-push: a change on A; the registry dies while the layer uploads.
  await fx.tree.write({ 'app.txt': 'version 2\n' });
  const uploads = join(lab.registryData, 'docker/registry/v2/repositories/team', fx.repo, '_uploads');
  const a = await buildUntil('A', '🔨 No suitable existing image found');
  for (let i = 0; i < 3000 && !(existsSync(uploads) && readdirSync(uploads).length > 0); i++) {
    await new Promise((r) => setTimeout(r, 10));
  }
  await lab.killRegistry();
  expect(await a.exited).toBe(0);
  expect(a.output()).toMatch(/the local image is fine/);
  await lab.startRegistry();
  const tagsAfterCut = await registryTags();
  expect(tagsAfterCut).toEqual([pushedByA.target.tag, 'latest'].sort());
  // The next build on A is a local hit, and it fills the registry with what the cut push lacked.
  const hit = await buildJson('A');
  expect(hit.outcome).toBe('reused');
  expect(await registryTags()).toEqual([pushedByA.target.tag, hit.target.tag, 'latest'].sort());
}, 240_000);
