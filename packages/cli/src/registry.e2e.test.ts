import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseRegistry, RegistryClient } from '@devops-butler/registry-cache';
import { OWNER_LABEL, removeRepoImages, useEngineFixture, useRegistryLab } from '@devops-butler/test-support';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { butlerBin as bin } from './cli-runner.fixture.js';

const run = promisify(execFile);

// Two machines: engine A (the default one) and engine B (a second dockerd), one registry.
const lab = useRegistryLab();
// FROM scratch: the same inputs hash the same on both engines, with no base image to copy over.
const fx = useEngineFixture('shared-cache', ({ repo }) => ({
  Dockerfile: `FROM scratch\nLABEL ${OWNER_LABEL}=${repo}\nCOPY app.txt /app.txt\n`,
  'app.txt': 'version 1\n',
}));

const registry = () => `${lab.registryHost}/team`;
const image = () => `${registry()}/${fx.repo}`;
let stateB: string;
beforeEach(async () => {
  stateB = await mkdtemp(join(tmpdir(), 'butler-state-b-'));
});
afterEach(async () => {
  await removeRepoImages(image());
  await run('docker', ['-H', lab.engineB, 'image', 'rm', '-f', `${image()}:latest`]).catch(() => undefined);
  await rm(stateB, { recursive: true, force: true });
  extraEnv = {};
});

interface BuildJson {
  outcome: string;
  target: { tag: string; reference: string };
  image: { id: string };
  warnings: string[];
  remoteCache?: { mode: string; messages: { level: string; text: string }[] };
}

/** Extra environment for the next builds (the docker-cli test puts a logging `docker` first on PATH). */
let extraEnv: NodeJS.ProcessEnv = {};

/** `butler build` on engine A (default) or B, as a separate process with its own state folder. */
async function build(on: 'A' | 'B', ...args: string[]) {
  const env = {
    ...process.env,
    ...extraEnv,
    BUTLER_REGISTRY: registry(),
    BUTLER_STATE_DIR: on === 'A' ? fx.stateDir : stateB,
    ...(on === 'B' ? { DOCKER_HOST: lab.engineB } : {}),
  };
  const { stdout, stderr } = await run(
    'node',
    [bin, 'build', fx.tree.dir, '--repo', fx.repo, '--no-cleanup', ...args],
    {
      env,
    },
  );
  return { stdout, stderr };
}
const buildJson = async (on: 'A' | 'B', ...args: string[]) =>
  JSON.parse((await build(on, '--json', ...args)).stdout) as BuildJson;

async function inspect(on: 'A' | 'B', reference: string) {
  const host = on === 'B' ? ['-H', lab.engineB] : [];
  const { stdout } = await run('docker', [...host, 'image', 'inspect', reference]);
  return (JSON.parse(stdout) as { Id: string; RepoDigests: string[] }[])[0] as {
    Id: string;
    RepoDigests: string[];
  };
}

const tagsInRegistry = async () =>
  (await new RegistryClient(parseRegistry(registry()), undefined).tags(`team/${fx.repo}`)).sort();

/** Machine A builds; the build is pushed under its hash and latest. */
async function buildAndPushOnA(): Promise<BuildJson> {
  const first = await buildJson('A');
  expect(first.outcome).toBe('built');
  expect(first.remoteCache?.messages).toContainEqual({
    level: 'info',
    text: `⬆️ Pushed ${first.target.reference} and :latest to ${lab.registryHost}`,
  });
  expect(await tagsInRegistry()).toEqual([first.target.tag, 'latest'].sort());
  return first;
}

test('what one machine built, another reuses from the registry without building; a change flows back', async () => {
  const first = await buildAndPushOnA();

  // Machine B has never seen this image: a remote hit, pulled, not built.
  await expect(inspect('B', first.target.reference)).rejects.toThrow();
  const onB = await build('B');
  expect(onB.stdout).toContain(
    `⬇️ Pulling ${first.target.reference} (linux/amd64) from ${lab.registryHost}...`,
  );
  expect(onB.stdout).toContain(`♻️ Reusing image from registry: ${first.target.reference}`);
  expect(onB.stdout).toContain('⚡ Build skipped - using cached image!');
  expect(onB.stdout).not.toContain('🔨');
  const pulled = await inspect('B', first.target.reference);
  expect(pulled.Id).toBe(first.image.id); // the same image, not a rebuild of it
  expect(pulled.RepoDigests.length).toBe(1); // it came from the registry
  expect((await inspect('B', `${image()}:latest`)).Id).toBe(first.image.id);

  // B changes a source file: B builds and pushes; A then reuses B's image.
  await fx.tree.write({ 'app.txt': 'version 2\n' });
  const second = await buildJson('B');
  expect(second.outcome).toBe('built');
  expect(second.target.tag).not.toBe(first.target.tag);
  const backOnA = await buildJson('A');
  expect(backOnA).toMatchObject({ outcome: 'reused', target: { tag: second.target.tag } });
  expect(backOnA.image.id).toBe(second.image.id);
  expect(await tagsInRegistry()).toEqual([first.target.tag, second.target.tag, 'latest'].sort());
});

test('an unreachable registry costs a local build and one warning; --require-push makes it a failure', async () => {
  const dead = `127.0.0.1:9/team`; // port 9 (discard): nothing listens there
  const env = { ...process.env, BUTLER_STATE_DIR: fx.stateDir };
  const { stdout, stderr } = await run(
    'node',
    [bin, 'build', fx.tree.dir, '--repo', fx.repo, '--no-cleanup', '--registry', dead],
    {
      env,
    },
  );
  expect(stdout).toContain('✅ Docker build completed successfully!');
  const warnings = stderr.split('\n').filter((line) => line.startsWith('⚠️'));
  expect(warnings).toHaveLength(1);
  expect(warnings[0]).toMatch(
    /^⚠️ the registry 127\.0\.0\.1:9 cannot be reached \(.*connection refused.*\); building locally, not pushing$/,
  );
  await removeRepoImages(`${dead}/${fx.repo}`);

  await fx.tree.write({ 'app.txt': 'other\n' });
  const failed = run(
    'node',
    [bin, 'build', fx.tree.dir, '--repo', fx.repo, '--no-cleanup', '--registry', dead, '--require-push'],
    {
      env,
    },
  );
  await expect(failed).rejects.toMatchObject({
    code: 1,
    stderr: expect.stringContaining(`the registry 127.0.0.1:9 cannot be reached; ${dead}/${fx.repo}:`),
  });
  await removeRepoImages(`${dead}/${fx.repo}`);
});

test('a multi-platform list: the engine platform is pulled from it; a list without it means a build', async () => {
  const first = await buildJson('A', '--remote-cache', 'push');
  const client = new RegistryClient(parseRegistry(registry()), undefined);
  const path = `team/${fx.repo}`;
  const single = await client.manifest(path, first.target.tag);
  const entry = (architecture: string) => ({
    mediaType: single?.mediaType,
    digest: single?.digest,
    size: 0,
    platform: { os: 'linux', architecture },
  });
  const listType = 'application/vnd.docker.distribution.manifest.list.v2+json';
  const withSize = async (architectures: string[]) => {
    const raw = await fetch(`http://${lab.registryHost}/v2/${path}/manifests/${single?.digest}`, {
      headers: { accept: single?.mediaType ?? '' },
    });
    const size = (await raw.arrayBuffer()).byteLength;
    return {
      schemaVersion: 2,
      mediaType: listType,
      manifests: architectures.map((a) => ({ ...entry(a), size })),
    };
  };

  // arm64 and amd64 under the tag: B (amd64) pulls the amd64 image and reuses it.
  await client.putManifest(path, first.target.tag, await withSize(['arm64', 'amd64']), listType);
  const onB = await buildJson('B');
  expect(onB.outcome).toBe('reused');
  expect((await inspect('B', first.target.reference)).Id).toBe(first.image.id);
  await run('docker', ['-H', lab.engineB, 'image', 'rm', first.target.reference]);

  // Only arm64 under the tag: nothing for this engine, so B builds.
  await client.putManifest(path, first.target.tag, await withSize(['arm64']), listType);
  const again = await buildJson('B', '--remote-cache', 'pull');
  expect(again.outcome).toBe('built');
  expect(again.remoteCache?.messages).toContainEqual({
    level: 'info',
    text: `${first.target.reference} in the registry is for linux/arm64, not linux/amd64; building`,
  });
});

test('with the docker-cli backend the docker CLI pulls and pushes (its own credentials), with the same result', async () => {
  await fx.tree.write({ 'butler.config.json': JSON.stringify({ backend: 'docker-cli' }) });
  // A `docker` that notes each call, then runs the real one.
  const { stdout: realDocker } = await run('sh', ['-c', 'command -v docker']);
  const log = join(stateB, 'docker-calls.log');
  await fx.tree.write({ 'bin/docker': `#!/bin/sh\necho "$1" >> ${log}\nexec ${realDocker.trim()} "$@"\n` });
  await run('chmod', ['+x', join(fx.tree.dir, 'bin/docker')]);
  extraEnv = { PATH: `${join(fx.tree.dir, 'bin')}:${process.env.PATH}` };
  const first = await buildAndPushOnA();
  const onB = await buildJson('B');
  expect(onB).toMatchObject({ outcome: 'reused', target: { tag: first.target.tag } });
  expect((await inspect('B', first.target.reference)).Id).toBe(first.image.id);
  const calls = (await readFile(log, 'utf8')).split('\n');
  expect(calls.filter((c) => c === 'push')).toHaveLength(2); // :{hash12} and :latest
  expect(calls.filter((c) => c === 'pull')).toHaveLength(1);
});
