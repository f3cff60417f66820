import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { inspectContainer, plainEndpoint } from '@devops-butler/engine-client';
import { StateStore } from '@devops-butler/state-store';
import { freePort, httpGet, OWNER_LABEL, useEngineFixture } from '@devops-butler/test-support';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { removeDeployment } from './host/undeploy.js';
import { type DeployOptions, runPipeline } from './pipeline.js';

const run = promisify(execFile);
const endpoint = plainEndpoint(process.env) as NonNullable<ReturnType<typeof plainEndpoint>>;

const server = (answer: string) =>
  `require('node:http').createServer((q, s) => s.end(${JSON.stringify(answer)})).listen(3000);\n`;
const fx = useEngineFixture('deploy', ({ repo }) => ({
  Dockerfile: `FROM butler-test/node:latest\nLABEL ${OWNER_LABEL}=${repo}\nCOPY server.js /server.js\nCMD ["node", "/server.js"]\n`,
  'server.js': server('hello v1'),
}));

let remotes: string;
let port: number;
beforeEach(async () => {
  remotes = await mkdtemp(join(tmpdir(), 'butler-remotes-'));
  port = await freePort();
  await git(fx.tree.dir, 'init', '-q', '-b', 'main');
  await git(remotes, 'init', '-q', '--bare', '-b', 'main', `${fx.repo}.git`);
  await commit('first');
});
afterEach(async () => {
  await removeDeployment(endpoint, fx.repo, 0);
  await run('docker', ['network', 'rm', network()]).catch(() => undefined);
  await rm(remotes, { recursive: true, force: true });
});

const url = () => `file://${remotes}/${fx.repo}.git`;
const network = () => `${fx.repo}-net`;
const options = (extra: DeployOptions = {}): DeployOptions => ({
  stateDir: fx.stateDir,
  network: network(),
  ports: [{ hostIp: '127.0.0.1', host: port, container: 3000 }],
  health: { settleMs: 500, timeoutMs: 20_000 },
  graceSeconds: 2,
  drainMs: 300,
  ...extra,
});

async function git(dir: string, ...args: string[]): Promise<string> {
  const identity = ['-c', 'user.name=t', '-c', 'user.email=t@example.com'];
  return (await run('git', ['-C', dir, ...identity, ...args])).stdout.trim();
}

async function commit(message: string, files: Record<string, string> = {}): Promise<string> {
  await fx.tree.write(files);
  await git(fx.tree.dir, 'add', '-A');
  await git(fx.tree.dir, 'commit', '-q', '-m', message);
  await git(fx.tree.dir, 'push', '-q', '--force', `${remotes}/${fx.repo}.git`, 'main');
  return git(fx.tree.dir, 'rev-parse', 'HEAD');
}

/** One request on a fresh connection, as `curl` in a loop asks. */
const ask = (on = port) => httpGet(on);

test('first deploy runs the app on its 127.0.0.1 port; the same commit again reuses the image and keeps the container', async () => {
  const sha = await git(fx.tree.dir, 'rev-parse', 'HEAD');
  const steps: string[] = [];
  const first = await runPipeline(
    url(),
    options({ onLog: (entry) => steps.push(`${entry.level}: ${entry.message}`) }),
  );
  expect(first).toMatchObject({ name: fx.repo, repo: fx.repo, commit: sha, outcome: 'deployed' });
  expect(first.build.outcome).toBe('built');
  expect(await ask()).toBe('hello v1');

  const container = await inspectContainer(endpoint, fx.repo);
  expect(container).toMatchObject({ running: true, image: first.build.image.id });
  const { stdout: policy } = await run('docker', [
    'inspect',
    '-f',
    '{{.HostConfig.RestartPolicy.Name}}',
    fx.repo,
  ]);
  expect(policy.trim()).toBe('unless-stopped'); // on once healthy (the candidate runs without one)
  const { stdout } = await run('docker', [
    'image',
    'inspect',
    '--format',
    '{{json .Config.Labels}}',
    first.build.image.id,
  ]);
  expect(JSON.parse(stdout)).toMatchObject({
    'org.opencontainers.image.revision': sha,
    'org.opencontainers.image.source': url(),
  });
  expect(steps).toContain(`info: 📌 Commit ${sha}`);

  const again = await runPipeline(url(), options());
  expect(again.build.outcome).toBe('reused');
  expect(again.outcome).toBe('unchanged');
  expect(again.container.id).toBe(first.container.id);
  expect(await ask()).toBe('hello v1');

  const store = StateStore.open(fx.stateDir);
  expect(store.currentDeployments()).toMatchObject([
    { name: fx.repo, commit: sha, imageId: first.build.image.id, outcome: 'unchanged' },
  ]);
  expect(store.stats(fx.repo)[0]).toMatchObject({ builds: 2, hits: 1, misses: 1 });
  store.close();

  // Another host port: the app container stays, the front is made again for the new port.
  const other = await freePort();
  const moved = await runPipeline(
    url(),
    options({ ports: [{ hostIp: '127.0.0.1', host: other, container: 3000 }] }),
  );
  expect(moved).toMatchObject({ outcome: 'unchanged', container: { id: first.container.id } });
  expect(await ask(other)).toBe('hello v1');
  await expect(ask()).rejects.toThrow();
});

test('a new commit is built and replaces the container while a polling client gets no failed request', async () => {
  const first = await runPipeline(url(), options());
  const sha = await commit('second', { 'server.js': server('hello v2') });

  const answers: string[] = [];
  const failures: string[] = [];
  let deploying = true;
  const poller = (async () => {
    // Bounded: one request every 20 ms while the deploy runs, at most 2,000.
    for (let i = 0; deploying && i < 2000; i++) {
      await ask().then(
        (body) => answers.push(body),
        (error: Error) => failures.push(error.message),
      );
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  const second = await runPipeline(url(), options()).finally(() => {
    deploying = false;
  });
  await poller;

  expect(second).toMatchObject({ commit: sha, outcome: 'deployed' });
  expect(second.build.outcome).toBe('built');
  expect(second.replaced?.id).toBe(first.container.id);
  expect(failures).toEqual([]);
  expect(answers.length).toBeGreaterThan(20);
  expect(answers).toContain('hello v1');
  expect(answers.at(-1)).toBe('hello v2');
  expect(await ask()).toBe('hello v2');
  expect(await inspectContainer(endpoint, first.container.id)).toBeUndefined();
  // The image it replaced is kept by the deploy's retention, though no container uses it now.
  expect(second.cleanup?.kept.map((k) => [k.id, k.reason])).toContainEqual([
    first.build.image.id,
    'deployed',
  ]);
});

test('a commit whose container exits is not deployed: the old one keeps serving and its logs are shown', async () => {
  await runPipeline(url(), options());
  await commit('broken', { 'server.js': "console.error('missing DATABASE_URL'); process.exit(3);\n" });
  const failed = runPipeline(url(), options());
  await expect(failed).rejects.toMatchObject({
    code: 'DEPLOY_FAILED',
    message: `the new container for ${fx.repo} is not healthy: the container exited with code 3; ${fx.repo} keeps running the previous image`,
    logs: expect.arrayContaining(['missing DATABASE_URL']),
  });
  expect(await ask()).toBe('hello v1');
  expect(await inspectContainer(endpoint, `${fx.repo}-next`)).toBeUndefined();
  const store = StateStore.open(fx.stateDir);
  expect(store.deploymentHistory(fx.repo).map((d) => d.outcome)).toEqual(['failed', 'deployed']);
  store.close();
});

test('refused and unusable sources end in one clear error, and the running container is untouched', async () => {
  await runPipeline(url(), options());
  const before = await inspectContainer(endpoint, fx.repo);
  await expect(runPipeline('ext::sh -c touch% /tmp/pwned', options())).rejects.toThrow(
    'remote helper transports (like ext::) can run commands',
  );
  await expect(runPipeline('--upload-pack=touch /tmp/pwned', options())).rejects.toThrow(
    'it starts with "-"',
  );
  await expect(runPipeline('http://127.0.0.1:9/x.git', options())).rejects.toThrow(
    'only https, ssh, git, file URLs are allowed',
  );
  await expect(runPipeline(url(), options({ ref: 'no-such-branch' }))).rejects.toMatchObject({
    code: 'SOURCE_UNREACHABLE',
  });
  await expect(runPipeline(`file://${remotes}/missing.git`, options())).rejects.toMatchObject({
    code: 'SOURCE_UNREACHABLE',
  });
  await expect(runPipeline(url(), options({ network: 'host' }))).rejects.toThrow(
    'network "host" exists with driver "host", not a bridge',
  );
  await git(fx.tree.dir, 'rm', '-q', 'Dockerfile');
  const noDockerfile = await commit('no Dockerfile');
  await expect(runPipeline(url(), options())).rejects.toThrow(
    `${url()} has no Dockerfile at ${noDockerfile.slice(0, 12)}`,
  );
  expect(await inspectContainer(endpoint, fx.repo)).toEqual(before);
  expect(await ask()).toBe('hello v1');
  expect(existsSync('/tmp/pwned')).toBe(false);
});

test("a repository's config is not run unless trusted, and a taken port is one clear error", async () => {
  const marker = join(remotes, 'config-ran');
  await commit('with config', {
    'butler.config.mjs': `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(marker)}, 'yes');\nexport default {};\n`,
  });
  const steps: string[] = [];
  await runPipeline(url(), options({ onLog: (entry) => steps.push(`${entry.level}: ${entry.message}`) }));
  expect(existsSync(marker)).toBe(false);
  expect(steps).toContain(
    "warn: Not running the repository's butler.config.mjs (it is code); building the Dockerfile with the default plugins — pass --trust-config to use it",
  );

  const other = `${fx.repo}-b`;
  await expect(runPipeline(url(), options({ name: other }))).rejects.toThrow(
    `port 127.0.0.1:${port} is already in use`,
  );
  expect(await inspectContainer(endpoint, `${other}-next`)).toBeUndefined();
  expect(await inspectContainer(endpoint, other)).toBeUndefined();
  expect(await ask()).toBe('hello v1');
});

test('a local folder deploys as it is, uncommitted changes included, and says so', async () => {
  await fx.tree.write({ 'server.js': server('hello from the working tree') });
  const steps: string[] = [];
  const result = await runPipeline(
    fx.tree.dir,
    options({ repo: fx.repo, onLog: (entry) => steps.push(`${entry.level}: ${entry.message}`) }),
  );
  const head = await git(fx.tree.dir, 'rev-parse', 'HEAD');
  expect(result).toMatchObject({
    name: fx.repo,
    repo: fx.repo,
    source: fx.tree.dir,
    commit: head,
    outcome: 'deployed',
  });
  expect(await ask()).toBe('hello from the working tree');
  expect(steps).toContain(
    `warn: ${fx.tree.dir} has uncommitted changes: they are built, and the revision label names ${head.slice(0, 12)}`,
  );
});

test('two deploys of the same commit at once: one replaces, the other finds it running and keeps it', async () => {
  const [a, b] = await Promise.all([runPipeline(url(), options()), runPipeline(url(), options())]);
  expect([a.outcome, b.outcome].sort()).toEqual(['deployed', 'unchanged']);
  expect(a.container.id).toBe(b.container.id);
  expect(await ask()).toBe('hello v1');
  const { stdout } = await run('docker', [
    'ps',
    '-aq',
    '--filter',
    `label=devops-butler.deployment=${fx.repo}`,
  ]);
  expect(stdout.trim().split('\n')).toHaveLength(2); // the app and its front
});
