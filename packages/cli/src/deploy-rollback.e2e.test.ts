import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { httpGet, OWNER_LABEL } from '@devops-butler/test-support';
import { expect, test } from 'vitest';
import { bin, useLocalDeploy } from './local-deploy.fixture.js';

const run = promisify(execFile);

// Each version answers with its name; it exits at once on SIGTERM (node as PID 1 would wait).
const server = (version: string) =>
  `process.on('SIGTERM', () => process.exit(0));\nrequire('node:http').createServer((q, s) => s.end('${version}')).listen(3000);\n`;
const local = useLocalDeploy('deploy-rollback', server('v1'));
const { fx, port, butler, deployArgs } = local;

interface Version {
  reference: string;
  ended: string;
  rollback?: boolean;
}
const versions = async (): Promise<Version[]> =>
  JSON.parse((await butler('deployments', fx.repo, '--json')).stdout).deployments[0].versions;

/** Deploys v1, v2 and v3 of the app; resolves with their image tags, oldest first. */
async function deployThree(...extra: string[]): Promise<string[]> {
  for (const version of ['v1', 'v2', 'v3']) {
    await fx.tree.write({ 'server.js': server(version) });
    await butler(...deployArgs(...extra));
    expect(await httpGet(port())).toBe(version);
  }
  return (await versions()).map((v) => v.reference).reverse();
}

test('rollback serves the previous version with no failed request, and --to goes to an older one', async () => {
  const [v1, v2, v3] = await deployThree();
  const load = local.traffic(50);
  const back = await butler('rollback', fx.repo);
  const counts = await load.stop();
  expect(back.stdout).toContain(`⏪ ${fx.repo} runs ${v2} again; it ran ${v3}`);
  expect(counts.failed).toEqual([]);
  expect(counts.answered).toBeGreaterThan(10);
  expect(counts.answers).toEqual(['v3', 'v2']);
  expect(await httpGet(port())).toBe('v2');
  expect((await versions()).map((v) => [v.reference, v.ended, v.rollback ?? false])).toEqual([
    [v2, 'running', true],
    [v3, 'rolled-back', false],
    [v2, 'replaced', false],
    [v1, 'replaced', false],
  ]);

  // --to by the image tag (the commit works the same way for a git source).
  const tag = (v1 as string).split(':')[1] as string;
  const json = JSON.parse((await butler('rollback', fx.repo, '--to', tag.slice(0, 8), '--json')).stdout);
  expect(json).toMatchObject({ name: fx.repo, from: { reference: v2 }, to: { reference: v1 } });
  expect(await httpGet(port())).toBe('v1');
  // The ports came from the deploy's remembered settings: rollback was given none.
  expect(json.settings.ports).toEqual([{ hostIp: '127.0.0.1', host: port(), container: 3000 }]);

  // Nothing matches, or it already runs: one line each, exit 1, v1 keeps serving.
  for (const [to, message] of [
    ['abcdef12', /no version of .* that ran has commit or tag abcdef12/],
    [tag, /already runs/],
  ] as const) {
    const failed = await butler('rollback', fx.repo, '--to', to).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect(failed).toMatchObject({ code: 1 });
    expect((failed as { stderr: string }).stderr).toMatch(message);
    expect((failed as { stderr: string }).stderr.trim().split('\n')).toHaveLength(1);
  }
  expect(await httpGet(port())).toBe('v1');
});

test('retention keeps the last versions of a deployment for rollback; a gone image is said in one line', async () => {
  // Keep one image per repository: only the deployment's own rule keeps v1 and v2 now.
  const [v1, v2] = await deployThree('--keep-versions', '3');
  const gc = JSON.parse((await butler('gc', '--repo', fx.repo, '--keep', '1', '--json')).stdout);
  expect(gc.removed).toEqual([]);
  expect(gc.kept.filter((k: { reason: string }) => k.reason === 'kept for rollback')).toHaveLength(2);

  // With --keep-versions 2 (remembered from this deploy on), v1 is no longer kept for rollback.
  await butler(...deployArgs('--keep-versions', '2'));
  const after = JSON.parse((await butler('gc', '--repo', fx.repo, '--keep', '1', '--json')).stdout);
  expect(after.removed.flatMap((r: { tags: string[] }) => r.tags)).toEqual([v1]);

  // v1's image is gone: rolling back to it says so, and v3 keeps serving.
  const failed = await butler('rollback', fx.repo, '--to', (v1 as string).split(':')[1] as string).catch(
    (e: { code: number; stderr: string }) => e,
  );
  expect(failed).toMatchObject({ code: 1 });
  const lines = (failed as { stderr: string }).stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/is no longer on this engine — deploy .* again/);
  expect(await httpGet(port())).toBe('v3');
  // The previous version's image is still there: a plain rollback works.
  await butler('rollback', fx.repo);
  expect(await httpGet(port())).toBe('v2');
  expect(v2).toBeDefined();
});

test('a named volume, an env file and the ports are remembered across redeploy and rollback', async () => {
  const volume = `${fx.repo}-data`;
  // Each start appends its version and GREETING to /data/log; the app answers with the whole log.
  const app = (version: string) =>
    `process.on('SIGTERM', () => process.exit(0));\nconst fs = require('node:fs');\n` +
    `fs.appendFileSync('/data/log', '${version} ' + process.env.GREETING + ' ' + process.env.EXTRA + '\\n');\n` +
    `require('node:http').createServer((q, s) => s.end(fs.readFileSync('/data/log', 'utf8').trim().split('\\n').join('|'))).listen(3000);\n`;
  const envDir = mkdtempSync(join(tmpdir(), 'butler-env-'));
  const envFile = join(envDir, 'app.env');
  writeFileSync(envFile, '# the app\nGREETING=hello\n');
  try {
    await fx.tree.write({
      Dockerfile: `FROM butler-test/node:latest\nLABEL ${OWNER_LABEL}=${fx.repo}\nCOPY server.js /server.js\nCMD ["node", "/server.js"]\n`,
      'server.js': app('v1'),
    });
    await butler(...deployArgs('-v', `${volume}:/data`, '--env-file', envFile, '-e', 'EXTRA=1'));
    expect(await httpGet(port())).toBe('v1 hello 1');

    // A plain deploy: name and source only. Ports, volume, env file and env are kept, and said.
    await fx.tree.write({ 'server.js': app('v2') });
    writeFileSync(envFile, 'GREETING=hi\n');
    const plain = await butler('deploy', fx.tree.dir, '--name', fx.repo, '--repo', fx.repo);
    expect(plain.stdout).toMatch(/📎 Kept from the last deploy of .*--port 127\.0\.0\.1:\d+:3000/);
    expect(plain.stdout).toContain(`--volume ${volume}:/data`);
    expect(plain.stdout).toContain('--env EXTRA');
    expect(plain.stdout).not.toContain('EXTRA=1');
    expect(await httpGet(port())).toBe('v1 hello 1|v2 hi 1');

    // Rollback: v1's image on the same volume, with the env file as it is now.
    await butler('rollback', fx.repo);
    expect(await httpGet(port())).toBe('v1 hello 1|v2 hi 1|v1 hi 1');

    // A flag given again replaces the remembered value.
    await fx.tree.write({ 'server.js': app('v3') });
    await butler('deploy', fx.tree.dir, '--name', fx.repo, '--repo', fx.repo, '-e', 'EXTRA=2');
    expect(await httpGet(port())).toBe('v1 hello 1|v2 hi 1|v1 hi 1|v3 hi 2');

    // Undeploy --volumes removes the deployment's anonymous volumes, never a named one.
    const undeployed = await butler('undeploy', fx.repo, '--timeout', '0', '--volumes');
    expect(undeployed.stdout).toContain(`💾 kept volume ${volume}`);
    await run('docker', ['volume', 'inspect', volume]);
  } finally {
    await butler('undeploy', fx.repo, '--timeout', '0').catch(() => undefined);
    await run('docker', ['volume', 'rm', volume]).catch(() => undefined);
    rmSync(envDir, { recursive: true, force: true });
  }
});

test('volume and env-file mistakes are usage errors that name the flag', async () => {
  for (const [args, message] of [
    [['-v', 'data:relative'], /must be absolute/],
    [['-v', './data:/data'], /absolute host path/],
    [['-v', 'data:/data:rx'], /unknown mode "rx"/],
    [['-v', 'a1:/data', '-v', 'b1:/data'], /two mounts on \/data/],
    [['--env-file', '/nonexistent/app.env'], /env file \/nonexistent\/app\.env cannot be read \(ENOENT\)/],
    [['--keep-versions', '0'], /--keep-versions "0" must be a whole number ≥ 1/],
  ] as const) {
    const failed = await butler(...deployArgs(...args)).catch((e: { code: number; stderr: string }) => e);
    expect(failed).toMatchObject({ code: 2 });
    expect((failed as { stderr: string }).stderr).toMatch(message);
  }
  // Run as users run it (the bin's own #! line): Node must leave --env-file to butler.
  const direct = await run(bin, deployArgs('--env-file', '/nonexistent/app.env'), { env: local.env() }).catch(
    (e: { code: number; stderr: string }) => e,
  );
  expect(direct).toMatchObject({ code: 2 });
  expect((direct as { stderr: string }).stderr).toMatch(
    /✖ the env file \/nonexistent\/app\.env cannot be read/,
  );
  const unknown = await butler('rollback', `${fx.repo}-none`).catch(
    (e: { code: number; stderr: string }) => e,
  );
  expect(unknown).toMatchObject({ code: 1 });
  expect((unknown as { stderr: string }).stderr).toMatch(/no deployment named .*-none is recorded/);
});

test('a rollback whose old version is not healthy leaves the current one serving', async () => {
  // v1's /up fails; v2's answers: rolling back to v1 under the remembered --health-path is refused.
  const app = (version: string, up: number) =>
    `process.on('SIGTERM', () => process.exit(0));\nrequire('node:http').createServer((q, s) => { if (q.url === '/up') { s.statusCode = ${up}; return s.end(); } s.end('${version}'); }).listen(3000);\n`;
  await fx.tree.write({ 'server.js': app('v1', 500) });
  await butler(...deployArgs());
  await fx.tree.write({ 'server.js': app('v2', 200) });
  await butler(...deployArgs('--health-path', '/up', '--health-timeout', '4s'));
  expect(await httpGet(port())).toBe('v2');
  const failed = await butler('rollback', fx.repo).catch((e: { code: number; stderr: string }) => e);
  expect(failed).toMatchObject({ code: 1 });
  expect((failed as { stderr: string }).stderr).toMatch(
    /not healthy within 4 s \(last: GET \/up answered 500\)/,
  );
  expect(await httpGet(port())).toBe('v2');
  expect((await versions()).map((v) => v.ended)).toEqual(['failed', 'running', 'replaced']);
});
