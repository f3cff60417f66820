import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { connect, createServer, type Socket } from 'node:net';
import { promisify } from 'node:util';
import { dockerode } from '@devops-butler/backend-dockerode';
import { type Builder, createButler, toRequest, withTargetLock } from '@devops-butler/core';
import { apiBuilder, type EngineEndpoint, familiarTags, plainEndpoint } from '@devops-butler/engine-client';
import { makeTree, OWNER_LABEL, useEngineFixture } from '@devops-butler/test-support';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { createRetentionPolicy } from './index.js';
import { runRetention } from './run-retention.js';

const run = promisify(execFile);
const endpoint = plainEndpoint(process.env) ?? { socketPath: '/var/run/docker.sock' };

const fx = useEngineFixture('gc', ({ from }) => ({ Dockerfile: `${from}COPY data /data\n`, data: '0' }));
const containers: string[] = [];
const extraImages: string[] = [];
// Registered after the fixture's own afterEach, so it runs first: containers go before their images.
afterEach(async () => {
  if (containers.length > 0)
    await run('docker', ['rm', '-f', ...containers.splice(0)]).catch(() => undefined);
  for (const image of extraImages.splice(0))
    await run('docker', ['image', 'rm', image]).catch(() => undefined);
});

// Each test's builds share no cached step with another test's: the engine's cache probe could
// otherwise pick an intermediate image the previous test's cleanup was deleting ("unable to find
// image"); a build here failed that way once in this session's CI runs.
let testCase = 0;
beforeEach(() => {
  testCase++;
});

/**
 * Builds `count` distinct images of the test's repository, oldest first; returns their IDs. The
 * classic builder unless told: its untagged parent images are what removal must order.
 */
async function buildImages(
  count: number,
  bytes = (i: number) => `${i}`,
  builder: Builder = 'classic',
): Promise<string[]> {
  const butler = createButler({ plugins: [dockerode()], stateDir: fx.stateDir });
  const ids: string[] = [];
  await fx.tree.write({
    Dockerfile: `FROM butler-test/busybox:latest\nLABEL ${OWNER_LABEL}=${fx.repo} devops-butler.test-case=${testCase}\nCOPY data /data\n`,
  });
  for (let i = 0; i < count; i++) {
    await fx.tree.write({ data: bytes(i) });
    ids.push((await butler.build(toRequest({ context: fx.tree.dir, repo: fx.repo, builder }))).image.id);
  }
  return ids;
}

async function imageExists(id: string): Promise<boolean> {
  return run('docker', ['image', 'inspect', id]).then(
    () => true,
    () => false,
  );
}

async function existing(ids: string[]): Promise<string[]> {
  const found: string[] = [];
  for (const id of ids) if (await imageExists(id)) found.push(id);
  return found;
}

/** The tags an image has now, in Docker's form (Podman's CLI answer says docker.io/…). */
async function tagsOf(id: string): Promise<string[]> {
  const { stdout } = await run('docker', ['image', 'inspect', '--format', '{{json .RepoTags}}', id]);
  return familiarTags(JSON.parse(stdout) as string[]);
}

async function createContainer(image: string): Promise<string> {
  const { stdout } = await run('docker', ['create', image, 'true']);
  containers.push(stdout.trim());
  return stdout.trim();
}

test('6 builds, keep 3: the 3 newest stay, plus an older one a stopped container uses', async () => {
  const ids = await buildImages(6);
  await createContainer(ids[0] as string); // never started: a stopped container protects too
  const report = await runRetention(endpoint, { repo: fx.repo, policy: createRetentionPolicy({ keep: 3 }) });
  expect(await existing(ids)).toEqual([ids[0], ids[3], ids[4], ids[5]]);
  expect(report.removed.map((e) => e.id).sort()).toEqual([ids[1], ids[2]].sort());
  expect(report.kept.find((e) => e.id === ids[0])?.reason).toBe('in use');
});

test('--dry-run removes nothing, and its plan is exactly what the real run removes', async () => {
  const ids = await buildImages(5);
  const policy = createRetentionPolicy({ keep: 2 });
  const plan = await runRetention(endpoint, { repo: fx.repo, policy, dryRun: true });
  expect(await existing(ids)).toEqual(ids);
  const real = await runRetention(endpoint, { repo: fx.repo, policy });
  expect(real.removed.map((e) => e.id).sort()).toEqual(plan.removed.map((e) => e.id).sort());
  expect(plan.removed).toHaveLength(3);
  expect(real.reclaimedBytes).toBeGreaterThan(0);
});

/**
 * A socket in front of the engine's that passes everything through and keeps what was asked: how
 * often an endpoint was called is what a user waits for.
 */
async function recordingProxy(engine: EngineEndpoint) {
  const upstream = 'socketPath' in engine ? engine.socketPath : undefined;
  if (!upstream) throw new Error('this test needs the engine on a unix socket');
  const socketPath = `/tmp/butler-retention-proxy-${process.pid}-${testCase}.sock`;
  let requests = '';
  const open = new Set<Socket>();
  const server = createServer((client) => {
    const engineSide = connect(upstream);
    open.add(client).add(engineSide);
    client.on('data', (chunk: Buffer) => {
      requests += chunk.toString('latin1');
    });
    client.pipe(engineSide).pipe(client);
    client.on('error', () => engineSide.destroy());
    engineSide.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  return {
    endpoint: { socketPath } satisfies EngineEndpoint,
    /** The query strings of the requests that named this path (any API version prefix). */
    queries: (path: string) =>
      requests
        .split('\r\n')
        .map((line) =>
          /^[A-Z]+ (\S+) HTTP\//
            .exec(line)?.[1]
            ?.replace(/^\/v[0-9.]+/, '')
            .split('?'),
        )
        .filter((target) => target?.[0] === path)
        .map((target) => target?.[1] ?? ''),
    close: async () => {
      for (const socket of open) socket.destroy(); // a kept-alive connection would hold the server open
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(socketPath, { force: true });
    },
  };
}

for (const [builder, which] of [
  [undefined, "the engine's own builder"],
  ['classic', 'the classic builder'],
] as const) {
  test(`one old image removed (${which}): the report gives the bytes it held alone, asking the engine for its disk usage once`, async () => {
    // Without a builder named, the one a user's build takes: BuildKit where the engine has it.
    const chosen = builder ?? (await apiBuilder(endpoint, { env: process.env })).builder;
    const ids = await buildImages(2, (i) => `${i}`.repeat(300_000), chosen);
    const proxy = await recordingProxy(endpoint);
    try {
      const report = await runRetention(proxy.endpoint, {
        repo: fx.repo,
        policy: createRetentionPolicy({ keep: 1 }),
      });
      expect(report.removed.map((e) => e.id)).toEqual([ids[0]]);
      // Its own layer holds the 300,000-byte file (an engine may count the layer's tar headers too).
      expect(report.reclaimedBytes).toBeGreaterThanOrEqual(300_000);
      expect(report.reclaimedBytes).toBeLessThan(300_000 + 65_536);
      // Asked once, and for images alone: unasked, the report walks every container, volume and
      // build cache record (an engine before API 1.42 does all the same).
      expect(proxy.queries('/system/df')).toEqual(['type=image']);
    } finally {
      await proxy.close();
    }
  });
}

test("an image without Butler's label survives, whatever its name", async () => {
  await buildImages(2);
  const impostor = `local-registry/${fx.repo}:aaaaaaaaaaaa`;
  const dir = await makeTree({
    Dockerfile: `${fx.from}RUN echo hand-made > /x\n`,
  });
  try {
    await run('docker', ['build', '-q', '-t', impostor, dir.dir], {
      env: { ...process.env, DOCKER_BUILDKIT: '0' },
    });
    extraImages.push(impostor);
  } finally {
    await dir.remove();
  }
  // Scoped to this test's repository: a run over every repository would touch other tests' images.
  await runRetention(endpoint, { repo: fx.repo, policy: createRetentionPolicy({ keep: 0 }) });
  expect(await imageExists(impostor)).toBe(true);
});

test("an image with a tag of another tool loses only Butler's tag", async () => {
  const [old] = await buildImages(2);
  const other = `${fx.repo}-release:v1`;
  await run('docker', ['tag', old as string, other]);
  extraImages.push(other);
  const report = await runRetention(endpoint, { repo: fx.repo, policy: createRetentionPolicy({ keep: 1 }) });
  expect(report.removed.map((e) => e.id)).toEqual([old]);
  expect(await imageExists(other)).toBe(true);
  expect(await tagsOf(old as string)).toEqual([other]);
});

test('over the disk budget the least recently used go first; latest and in-use images stay', async () => {
  const ids = await buildImages(4, (i) => 'x'.repeat((i + 1) * 1_000_000));
  await createContainer(ids[0] as string);
  // All four are about 2 MB of base plus 1–4 MB; a 7 MB budget leaves room for the protected ones only.
  const policy = createRetentionPolicy({ keep: 10, maxSize: '7MB', minAge: 0 });
  const report = await runRetention(endpoint, { repo: fx.repo, policy });
  expect(report.removed.map((e) => [e.id, e.reason])).toEqual([
    [ids[1], 'over size'],
    [ids[2], 'over size'],
  ]);
  expect(await existing(ids)).toEqual([ids[0], ids[3]]);
});

test('race: containers created from candidates while gc runs keep their images, or the report names the loss', async () => {
  const ids = await buildImages(10);
  const policy = createRetentionPolicy({ keep: 0 });
  const gc = runRetention(endpoint, { repo: fx.repo, policy });
  // A bounded loop: 10 containers from random candidates, while the removals are under way.
  const started: string[] = [];
  for (let i = 0; i < 10; i++) {
    const image = ids[Math.floor(Math.random() * ids.length)] as string;
    const id = await createContainer(image).catch(() => undefined); // the image may already be gone
    if (id) started.push(id);
  }
  const report = await gc; // resolves: a refused removal is a kept image, not a failure
  expect(report.removed.length + report.kept.length).toBe(ids.length);
  for (const container of started) {
    const { stdout } = await run('docker', ['container', 'inspect', '--format', '{{.Image}}', container]);
    const image = stdout.trim();
    // The engine checks for users and deletes without a lock against `docker create`: when it
    // loses that race, the image is gone, and Butler's report must say so rather than hide it.
    if (!(await imageExists(image))) expect(report.lost.map((e) => e.id)).toContain(image);
  }
});

test("a CI's tag of 12 hex digits is not Butler's: the image keeps it", async () => {
  const [old] = await buildImages(2);
  const ci = `ci.example/${fx.repo}:0123456789ab`;
  await run('docker', ['tag', old as string, ci]);
  extraImages.push(ci);
  const report = await runRetention(endpoint, {
    repo: fx.repo,
    stateDir: fx.stateDir,
    policy: createRetentionPolicy({ keep: 1 }),
  });
  expect(report.removed.map((e) => [e.id, e.reason])).toEqual([[old, 'over count; other tags remain']]);
  expect(await tagsOf(old as string)).toEqual([ci]);
});

test('an image built FROM a Butler image inherits its labels, not its ownership: it is never removed', async () => {
  await buildImages(1);
  const dir = await makeTree({
    Dockerfile: `FROM local-registry/${fx.repo}:latest\nRUN echo child > /child\n`,
  });
  let child: string;
  try {
    const { stdout } = await run('docker', ['build', '-q', dir.dir], {
      env: { ...process.env, DOCKER_BUILDKIT: '0' },
    });
    child = stdout.trim();
  } finally {
    await dir.remove();
  }
  await runRetention(endpoint, {
    repo: fx.repo,
    stateDir: fx.stateDir,
    policy: createRetentionPolicy({ keep: 0 }),
  });
  expect(await imageExists(child)).toBe(true);
  await run('docker', ['image', 'rm', child]);
});

test('an image a butler build or deploy holds right now is kept, and says why', async () => {
  const [old] = await buildImages(2);
  const reference = (await tagsOf(old as string))[0] as string;
  const report = await withTargetLock(fx.stateDir, reference, () =>
    runRetention(endpoint, {
      repo: fx.repo,
      stateDir: fx.stateDir,
      policy: createRetentionPolicy({ keep: 1 }),
    }),
  );
  expect(await imageExists(old as string)).toBe(true);
  expect(report.kept.find((e) => e.id === old)?.reason).toBe(
    'in use by a butler build or deploy running now',
  );
});
