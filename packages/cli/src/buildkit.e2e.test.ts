import { execFile } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { makeTree, OWNER_LABEL, removeRepoImages, useEngineFixture } from '@devops-butler/test-support';
import { afterEach, expect, test } from 'vitest';
import { butlerBin as bin, runButler } from './cli-runner.fixture.js';

const run = promisify(execFile);
// The reference: Debian's 20.10 CLI builds with the engine's BuildKit under DOCKER_BUILDKIT=1 (the
// newer docker first on PATH would need buildx).
const REFERENCE_DOCKER = '/usr/bin/docker';

// Today's Dockerfile forms: a cache mount, --chmod, a platform ARG in a path, a stage the target
// does not need (and that would fail), a bind mount, and `COPY .` (which sees .dockerignore).
const fx = useEngineFixture('buildkit', ({ from, repo }) => ({
  Dockerfile: [
    `FROM butler-test/busybox:latest AS base`,
    `LABEL ${OWNER_LABEL}=${repo}`,
    'ARG TARGETARCH',
    'COPY --chmod=755 tool.sh /usr/local/bin/tool',
    'COPY bin-${TARGETARCH} /app/bin',
    'RUN --mount=type=cache,target=/root/.cache echo "cached $TARGETARCH" > /app/cache-note && ls /root/.cache',
    'RUN --mount=type=bind,source=data/seed.txt,target=/seed cp /seed /app/seed',
    `${from.trim().split('\n')[0]} AS unused`,
    'RUN exit 1',
    'FROM base',
    'COPY . /ctx/',
    '',
  ].join('\n'),
  '.dockerignore': 'ignored/\n*.log\n',
  'tool.sh': '#!/bin/sh\necho tool\n',
  'bin-amd64': 'the amd64 binary\n',
  'bin-arm64': 'the arm64 binary\n',
  'bin-': 'what the classic builder would copy\n',
  'data/seed.txt': 'seed v1\n',
  'ignored/secret.txt': 'never sent\n',
  'debug.log': 'never sent\n',
}));
afterEach(() => removeRepoImages(`${fx.repo}-docker`));

function butler(...args: string[]) {
  return runButler(args, { env: { ...process.env, BUTLER_STATE_DIR: fx.stateDir }, reject: true });
}

/** `docker build` with BuildKit, as a user would run it: the oracle. */
async function dockerBuild(dir: string, tag: string): Promise<string> {
  const { stdout } = await run(REFERENCE_DOCKER, ['build', '-q', '-t', tag, dir], {
    env: { ...process.env, DOCKER_BUILDKIT: '1' },
  });
  return stdout.trim();
}

/** Every entry below `paths` in the image: path, mode, size and content digest (files). */
async function treeOf(image: string, paths: string[]): Promise<string[]> {
  const script = `cd / && for e in $(find ${paths.join(' ')} | sort); do if [ -f "$e" ]; then echo "$e $(stat -c %a "$e") $(md5sum < "$e" | cut -c1-32)"; else echo "$e $(stat -c %a "$e") $(stat -c %F "$e")"; fi; done`;
  const { stdout } = await run('docker', ['run', '--rm', '--entrypoint', 'sh', image, '-c', script]);
  return stdout.split('\n').filter(Boolean);
}

const PATHS = ['app', 'ctx', 'usr/local/bin/tool'];

test("today's Dockerfile forms build with default settings, and the image holds what docker build's (BuildKit) holds", async () => {
  const { stdout } = await butler('build', fx.tree.dir, '--repo', fx.repo, '--json');
  const result = JSON.parse(stdout);
  expect(result).toMatchObject({ outcome: 'built', builder: { builder: 'buildkit' } });
  const reference = await dockerBuild(fx.tree.dir, `${fx.repo}-docker:1`);
  const ours = await treeOf(result.image.id, PATHS);
  expect(ours).toEqual(await treeOf(reference, PATHS));
  // What BuildKit does and the classic builder did not: TARGETARCH set, --chmod, the
  // .dockerignore itself copied by `COPY .`, the unused stage never run.
  expect(ours).toContain(`app/bin 644 ${await md5('the amd64 binary\n')}`);
  expect(ours.some((line) => line.startsWith('usr/local/bin/tool 755 '))).toBe(true);
  expect(ours.some((line) => line.startsWith('ctx/.dockerignore 644 '))).toBe(true);
  expect(ours.join('\n')).not.toMatch(/secret\.txt|debug\.log/);
}, 180_000);

test('a file reached only through a bind mount changes: the next build rebuilds and the image has the new bytes', async () => {
  const first = JSON.parse((await butler('build', fx.tree.dir, '--repo', fx.repo, '--json')).stdout);
  expect(JSON.parse((await butler('build', fx.tree.dir, '--repo', fx.repo, '--json')).stdout).outcome).toBe(
    'reused',
  );
  await fx.tree.write({ 'data/seed.txt': 'seed v2\n' });
  const second = JSON.parse((await butler('build', fx.tree.dir, '--repo', fx.repo, '--json')).stdout);
  expect(second.outcome).toBe('built');
  expect(second.target.tag).not.toBe(first.target.tag);
  const { stdout } = await run('docker', ['run', '--rm', second.image.id, 'cat', '/app/seed']);
  expect(stdout).toBe('seed v2\n');
}, 180_000);

test('DOCKER_BUILDKIT=0 builds with the classic builder, and the builder is part of the hash (a miss, never a false reuse)', async () => {
  const classicDockerfile = `FROM butler-test/busybox:latest\nLABEL ${OWNER_LABEL}=${fx.repo}\nCOPY tool.sh /tool\n`;
  await fx.tree.write({ 'Dockerfile.plain': classicDockerfile });
  const buildkit = JSON.parse(
    (await butler('build', fx.tree.dir, '-f', 'Dockerfile.plain', '--repo', fx.repo, '--json')).stdout,
  );
  const classic = JSON.parse(
    (
      await run(
        process.execPath,
        [bin, 'build', fx.tree.dir, '-f', 'Dockerfile.plain', '--repo', fx.repo, '--json'],
        {
          env: { ...process.env, BUTLER_STATE_DIR: fx.stateDir, DOCKER_BUILDKIT: '0' },
        },
      )
    ).stdout,
  );
  expect(buildkit.builder).toMatchObject({ builder: 'buildkit' });
  expect(classic.builder).toEqual({ builder: 'classic', reason: 'DOCKER_BUILDKIT=0 is set' });
  expect(classic.outcome).toBe('built');
  expect(classic.target.tag).not.toBe(buildkit.target.tag);
}, 180_000);

test('a failing step: its output, then one line naming the step and its exit code; nothing is tagged', async () => {
  await fx.tree.write({
    'Dockerfile.fail': `FROM butler-test/busybox:latest\nLABEL ${OWNER_LABEL}=${fx.repo}\nRUN echo "checking the config" && echo "config is broken" >&2 && exit 7\n`,
  });
  const failed = await butler('build', fx.tree.dir, '-f', 'Dockerfile.fail', '--repo', fx.repo).catch(
    (error: { code: number; stdout: string; stderr: string }) => error,
  );
  expect(failed).toMatchObject({ code: 1 });
  const { stderr, stdout } = failed as { stdout: string; stderr: string };
  // The step's stdout and stderr, in whichever order BuildKit delivered them.
  const block = /── last lines of the failed step ──\n((?: {3}.*\n)+)/.exec(stderr)?.[1] ?? '';
  expect(block.split('\n').filter(Boolean).sort()).toEqual(['   checking the config', '   config is broken']);
  const errorLines = stderr.split('\n').filter((line) => line.startsWith('✖'));
  expect(errorLines).toHaveLength(1);
  expect(errorLines[0]).toMatch(
    /build failed at \[2\/2\] RUN echo "checking the config" .*: exited with code 7/,
  );
  expect(stdout + stderr).not.toMatch(/moby\.buildkit\.trace|"aux"|[A-Za-z0-9+/]{60,}/);
  const tags = await run('docker', ['image', 'ls', '-q', `local-registry/${fx.repo}`]);
  expect(tags.stdout.trim()).toBe('');
}, 120_000);

async function md5(text: string): Promise<string> {
  const { createHash } = await import('node:crypto');
  return createHash('md5').update(text).digest('hex');
}

// Random folders: .dockerignore forms × COPY forms × --chmod, each built by Butler (default
// settings) and by docker build with BuildKit; the images must hold the same entries, modes, bytes
// (an ignored Dockerfile too: it travels beside the context, as docker build sends it).
const IGNORES = [
  '',
  '*.tmp\n',
  'sub/\n',
  '*\n!keep*\n!sub/\n',
  'sub/deep\n!sub/deep/keep.txt\n',
  '.dockerignore\n',
  'Dockerfile\n*.tmp\n',
];
const COPIES = [
  'COPY . /ctx/',
  'COPY sub /ctx/sub',
  'COPY keep.txt sub/ /ctx/',
  'COPY *.txt /ctx/',
  'COPY --chmod=640 . /ctx/',
];

function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

test('differential: on random folders, Butler’s image holds exactly what BuildKit’s docker build puts in it', async () => {
  const next = random(20261204);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  for (let round = 0; round < 6; round++) {
    const ignore = pick(IGNORES);
    const copy = pick(COPIES);
    const tree = await makeTree({
      Dockerfile: `FROM butler-test/busybox:latest\nLABEL ${OWNER_LABEL}=${fx.repo}\n${copy}\n`,
      ...(ignore ? { '.dockerignore': ignore } : {}),
      'keep.txt': `keep ${round}\n`,
      'other.txt': `other ${round}\n`,
      'scratch.tmp': 'temporary\n',
      'sub/a.txt': 'a\n',
      'sub/deep/keep.txt': 'deep keep\n',
      'sub/deep/drop.txt': 'deep drop\n',
      'run.sh': { content: '#!/bin/sh\n', mode: 0o755 },
    });
    try {
      const label = `round ${round}: ${JSON.stringify(ignore)} × ${copy}`;
      const ours = JSON.parse(
        (await butler('build', tree.dir, '--repo', `${fx.repo}-r${round}`, '--json', '--no-cleanup')).stdout,
      );
      const reference = await dockerBuild(tree.dir, `${fx.repo}-docker:r${round}`);
      expect(await treeOf(ours.image.id, ['ctx']), label).toEqual(await treeOf(reference, ['ctx']));
    } finally {
      await tree.remove();
      await removeRepoImages(`local-registry/${fx.repo}-r${round}`);
    }
  }
}, 300_000);

test('butler hash --resolve prints the tag butler build gives the image; plain hash says it does not', async () => {
  const plain = await butler('hash', fx.tree.dir, '--repo', fx.repo);
  expect(plain.stdout).toMatch(
    /note: base images counted by reference only: butler build tags this image differently/,
  );
  const resolved = JSON.parse(
    (await butler('hash', fx.tree.dir, '--repo', fx.repo, '--resolve', '--json')).stdout,
  );
  expect(resolved).toMatchObject({ resolved: true, builder: 'buildkit' });
  const built = JSON.parse((await butler('build', fx.tree.dir, '--repo', fx.repo, '--json')).stdout);
  expect(built.target.tag).toBe(resolved.tag);
  expect(plain.stdout.split('\n')[0]).not.toBe(built.target.reference);
}, 180_000);

test("a # syntax= frontend is a build input; one that cannot be had is one line naming the Dockerfile's line", async () => {
  await fx.tree.write({
    'Dockerfile.syntax': `# syntax=docker/dockerfile:1.7\nFROM butler-test/busybox:latest\nLABEL ${OWNER_LABEL}=${fx.repo}\nRUN echo hi\n`,
  });
  const hashed = JSON.parse((await butler('hash', fx.tree.dir, '-f', 'Dockerfile.syntax', '--json')).stdout);
  expect(hashed.images).toContain('docker/dockerfile:1.7');
  const failed = await butler('build', fx.tree.dir, '-f', 'Dockerfile.syntax', '--repo', fx.repo).catch(
    (error: { code: number; stderr: string }) => error,
  );
  expect(failed).toMatchObject({ code: 1 });
  const errorLines = (failed as { stderr: string }).stderr.split('\n').filter((line) => line.startsWith('✖'));
  expect(errorLines).toHaveLength(1);
  expect(errorLines[0]).toMatch(
    /the Dockerfile's "# syntax=docker\/dockerfile:1\.7" line names a frontend image this engine does not have and could not pull — docker pull docker\/dockerfile:1\.7/,
  );
}, 120_000);

test('secrets given by file and by variable reach the build, and appear in no output, label, history or state file', async () => {
  const fileValue = `file-secret-${fx.repo}-7f3a`;
  const envValue = `env-secret-${fx.repo}-9c1d`;
  await fx.tree.write({
    'Dockerfile.secret': `FROM butler-test/busybox:latest\nLABEL ${OWNER_LABEL}=${fx.repo}\nRUN --mount=type=secret,id=token --mount=type=secret,id=api,required echo ${fx.repo} && cat /run/secrets/token /run/secrets/api | md5sum > /secrets.md5\n`,
    'secret-token.txt': fileValue,
  });
  const env = { ...process.env, BUTLER_STATE_DIR: fx.stateDir, API_KEY: envValue };
  const args = ['build', fx.tree.dir, '-f', 'Dockerfile.secret', '--repo', fx.repo];
  const secrets = [
    '--secret',
    `id=token,src=${fx.tree.dir}/secret-token.txt`,
    '--secret',
    'id=api,env=API_KEY',
  ];
  const text = await run(process.execPath, [bin, ...args, ...secrets, '--verbose'], { env, cwd: tmpdir() });
  const json = await run(process.execPath, [bin, ...args, ...secrets, '--json', '--force'], {
    env,
    cwd: tmpdir(),
  });
  const image = JSON.parse(json.stdout).image.id;
  // The build saw both values (their digest is in the image, the values are not). The step names
  // the test's repository: BuildKit's cache key leaves secrets out, so another run's step would do.
  const { stdout: digest } = await run('docker', ['run', '--rm', image, 'cat', '/secrets.md5']);
  expect(digest.trim().split(/\s+/)[0]).toBe(await md5(fileValue + envValue));
  const history = await run('docker', ['history', '--no-trunc', image]);
  const inspect = await run('docker', ['image', 'inspect', image]);
  const stateFiles = await run('grep', ['-rl', '-e', fileValue, '-e', envValue, fx.stateDir]).catch(() => ({
    stdout: '',
  }));
  for (const seen of [text.stdout, text.stderr, json.stdout, json.stderr, history.stdout, inspect.stdout]) {
    expect(seen).not.toContain(fileValue);
    expect(seen).not.toContain(envValue);
  }
  expect(stateFiles.stdout).toBe('');
  // Secrets are not part of the hash (as in BuildKit's cache): without them the image is reused.
  expect(JSON.parse((await butler(...args, '--json')).stdout).outcome).toBe('reused');
  // A step not built before that requires a secret nobody gave: one line naming it.
  await fx.tree.write({
    'Dockerfile.secret2': `FROM butler-test/busybox:latest\nRUN --mount=type=secret,id=api,required echo ${fx.repo} again\n`,
  });
  const missing = await butler('build', fx.tree.dir, '-f', 'Dockerfile.secret2', '--repo', fx.repo).catch(
    (error: { code: number; stderr: string }) => error,
  );
  expect(missing).toMatchObject({ code: 1 });
  const errorLines = (missing as { stderr: string }).stderr
    .split('\n')
    .filter((line) => line.startsWith('✖'));
  expect(errorLines).toHaveLength(1);
  expect(errorLines[0]).toMatch(
    /the build needs the secret "api", which was not given — pass it: butler build --secret id=api/,
  );
}, 180_000);

test('--ssh forwards an SSH agent: the build talks to it through BuildKit, both ways; a missing one is one line', async () => {
  // A stand-in agent on a socket of the test's own: it answers what it was sent.
  const { createServer } = await import('node:net');
  const socket = join(fx.stateDir, 'agent.sock');
  const agent = createServer((c) => c.once('data', (d) => c.end(`agent saw: ${d}`)));
  await new Promise<void>((listening) => agent.listen(socket, listening));
  try {
    await fx.tree.write({
      'Dockerfile.ssh': `FROM butler-test/node:latest\nLABEL ${OWNER_LABEL}=${fx.repo}\nRUN --mount=type=ssh node -e "const s=require('net').connect(process.env.SSH_AUTH_SOCK);s.end('hello from ${fx.repo}');let o='';s.on('data',d=>o+=d);s.on('end',()=>require('fs').writeFileSync('/agent-said',o))"\n`,
    });
    const built = await run(
      process.execPath,
      [bin, 'build', fx.tree.dir, '-f', 'Dockerfile.ssh', '--repo', fx.repo, '--ssh', 'default', '--json'],
      { env: { ...process.env, BUTLER_STATE_DIR: fx.stateDir, SSH_AUTH_SOCK: socket }, cwd: tmpdir() },
    );
    const { stdout } = await run('docker', [
      'run',
      '--rm',
      JSON.parse(built.stdout).image.id,
      'cat',
      '/agent-said',
    ]);
    expect(stdout).toBe(`agent saw: hello from ${fx.repo}`);
  } finally {
    agent.close();
  }
  await fx.tree.write({
    'Dockerfile.ssh2': `FROM butler-test/busybox:latest\nRUN --mount=type=ssh,id=deploykey,required echo ${fx.repo}\n`,
  });
  const missing = await butler('build', fx.tree.dir, '-f', 'Dockerfile.ssh2', '--repo', fx.repo).catch(
    (error: { code: number; stderr: string }) => error,
  );
  expect(missing).toMatchObject({ code: 1 });
  expect((missing as { stderr: string }).stderr.trim()).toMatch(
    /^✖ .*the build needs the SSH agent "deploykey", which was not given — pass it: butler build --ssh deploykey=SOCKET/,
  );
  const notSocket = await butler('build', fx.tree.dir, '--ssh', `key=${fx.tree.dir}/tool.sh`).catch(
    (error: { code: number; stderr: string }) => error,
  );
  expect(notSocket).toMatchObject({ code: 2, stderr: expect.stringMatching(/is not an SSH agent's socket/) });
}, 180_000);
