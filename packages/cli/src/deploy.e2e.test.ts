import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, OWNER_LABEL, removeRepoImages, useEngineFixture } from '@devops-butler/test-support';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { runButler } from './cli-runner.fixture.js';

const run = promisify(execFile);

// The app answers with its environment's GREETING and the build argument it was built with.
const fx = useEngineFixture('cli-deploy', ({ repo }) => ({
  Dockerfile: `FROM butler-test/node:latest\nLABEL ${OWNER_LABEL}=${repo}\nARG FLAVOUR=plain\nENV FLAVOUR=$FLAVOUR\nCOPY server.js /server.js\nCMD ["node", "/server.js"]\n`,
  'server.js':
    "require('node:http').createServer((q, s) => s.end(process.env.GREETING + ' ' + process.env.FLAVOUR)).listen(3000);\n",
  // A trusted config names the image repository too (the deployment keeps its name).
  'butler.config.json': JSON.stringify({ repo: `${repo}-img`, buildArgs: { FLAVOUR: 'from-config' } }),
}));

let remotes: string;
let port: number;
beforeEach(async () => {
  remotes = await mkdtemp(join(tmpdir(), 'butler-remotes-'));
  port = await freePort();
  await git(remotes, 'init', '-q', '--bare', '-b', 'main', `${fx.repo}.git`);
  await git(fx.tree.dir, 'init', '-q', '-b', 'main');
  await git(fx.tree.dir, 'add', '-A');
  await git(fx.tree.dir, 'commit', '-q', '-m', 'app');
  await git(fx.tree.dir, 'push', '-q', `${remotes}/${fx.repo}.git`, 'main');
});
afterEach(async () => {
  await butler('undeploy', fx.repo, '--timeout', '0').catch(() => undefined);
  await run('docker', ['network', 'rm', `${fx.repo}-net`]).catch(() => undefined);
  await removeRepoImages(`local-registry/${fx.repo}-img`);
  await rm(remotes, { recursive: true, force: true });
});

const git = (dir: string, ...args: string[]) =>
  run('git', ['-C', dir, '-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args]);

function butler(...args: string[]) {
  return runButler(args, { env: { ...process.env, BUTLER_STATE_DIR: fx.stateDir }, reject: true });
}

const deployArgs = () => [
  'deploy',
  `file://${remotes}/${fx.repo}.git`,
  '--port',
  `${port}:3000`,
  '--env',
  'GREETING=hello',
  '--network',
  `${fx.repo}-net`,
];

test('butler deploy prints the build and the swap, the app answers, list shows it, undeploy removes it', async () => {
  const { stdout, stderr } = await butler(...deployArgs());
  expect(stdout).toContain('🔨 No suitable existing image found, building new image...');
  expect(stdout).toContain('✅ Docker build completed successfully!');
  expect(stdout).toMatch(
    new RegExp(
      `🚀 ${fx.repo} runs local-registry/${fx.repo}:[0-9a-f]{12} \\(commit [0-9a-f]{12}\\) on ${fx.repo}-net — http://127.0.0.1:${port}`,
    ),
  );
  // Untrusted: the repository's config (its build argument) is not used.
  expect(stderr).toContain("⚠️ Not running the repository's butler.config.json (it is code)");
  expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe('hello plain');

  const list = JSON.parse((await butler('list', '--repo', fx.repo, '--json')).stdout);
  expect(list.deployments).toMatchObject([
    { name: fx.repo, repo: fx.repo, status: 'running', outcome: 'deployed' },
  ]);
  expect(list.images.find((i: { deployedAs: string[] }) => i.deployedAs.includes(fx.repo))).toBeDefined();
  const table = (await butler('list', '--repo', fx.repo)).stdout;
  expect(table).toMatch(
    new RegExp(
      `DEPLOYMENT +REPOSITORY +IMAGE +COMMIT +STATUS +DEPLOYED\\n${fx.repo} +${fx.repo} +local-registry/${fx.repo}:[0-9a-f]{12} +[0-9a-f]{12} +running`,
    ),
  );

  // A commit whose app exits: exit 1, its last log lines, and the running app keeps answering.
  await fx.tree.write({
    'server.js': "console.error('cannot open /data: permission denied'); process.exit(7);\n",
  });
  await git(fx.tree.dir, 'commit', '-q', '-am', 'broken');
  await git(fx.tree.dir, 'push', '-q', `${remotes}/${fx.repo}.git`, 'main');
  const broken = await butler(...deployArgs(), '--timeout', '20s').then(
    () => undefined,
    (error: { code: number; stderr: string }) => error,
  );
  expect(broken?.code).toBe(1);
  expect(broken?.stderr).toContain(
    '── last lines the new container wrote ──\n   cannot open /data: permission denied\n',
  );
  expect(broken?.stderr).toContain(
    `✖ the new container for ${fx.repo} is not healthy: the container exited with code 7; ${fx.repo} keeps running the previous image — the previous container keeps serving; fix the app and deploy again\n`,
  );
  expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe('hello plain');

  const undeployed = await butler('undeploy', fx.repo);
  expect(undeployed.stdout).toBe(`🛑 ${fx.repo}: stopped and removed 2 containers\n`);
  const after = JSON.parse((await butler('list', '--repo', fx.repo, '--json')).stdout);
  expect(after.deployments).toEqual([]);
  await expect(butler('undeploy', fx.repo)).rejects.toMatchObject({
    code: 1,
    stderr: `✖ no deployment named "${fx.repo}" is running — butler list shows the deployments\n`,
  });
});

test('--trust-config builds with the repository config; --json is one result; bad input is one line with exit 2', async () => {
  const { stdout } = await butler(...deployArgs(), '--trust-config', '--json');
  const result = JSON.parse(stdout);
  expect(result).toMatchObject({
    name: fx.repo,
    repo: `${fx.repo}-img`,
    outcome: 'deployed',
    build: { outcome: 'built', target: { repo: `${fx.repo}-img` } },
  });
  expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe('hello from-config');

  await expect(butler('deploy', 'ext::sh -c id')).rejects.toMatchObject({
    code: 2,
    stderr: expect.stringMatching(/^✖ refusing "ext::sh -c id": remote helper transports/),
  });
  await expect(butler(...deployArgs(), '--port', 'x:1')).rejects.toMatchObject({
    code: 2,
    stderr: '✖ --port "x:1" must be [IP:]HOST:CONTAINER with ports 1–65535\n',
  });
  await expect(butler('deploy')).rejects.toMatchObject({ code: 2 });
});
