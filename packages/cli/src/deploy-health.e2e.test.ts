import { spawn } from 'node:child_process';
import { get } from 'node:http';
import { httpGet } from '@devops-butler/test-support';
import { expect, test } from 'vitest';
import { bin, useLocalDeploy } from './local-deploy.fixture.js';

// An app that answers `/` with its version, `/up` with `up`, and `/slow` after 3 s; it exits at
// once on SIGTERM (so only the drain keeps an in-flight request alive).
const app = (version: string, upStatus: number) =>
  `process.on('SIGTERM', () => process.exit(0));
require('node:http').createServer((q, s) => {
  if (q.url === '/up') { s.statusCode = ${upStatus}; return s.end('up'); }
  if (q.url === '/slow') return setTimeout(() => s.end('slow ${version}'), 3000);
  s.end('${version}');
}).listen(3000);
`;
const { fx, port, env, butler, deployArgs } = useLocalDeploy('deploy-health', app('v1', 200));

test('--health-path: a new version whose /up answers 500 is not swapped in; the old one keeps serving', async () => {
  await butler(...deployArgs('--health-path', '/up'));
  expect(await httpGet(port())).toBe('v1');
  await fx.tree.write({ 'server.js': app('v2', 500) });
  const failed = await butler(...deployArgs('--health-path', '/up', '--health-timeout', '4s')).catch(
    (error: { code: number; stderr: string }) => error,
  );
  expect(failed).toMatchObject({ code: 1 });
  expect((failed as { stderr: string }).stderr).toMatch(
    /not healthy within 4 s \(last: GET \/up answered 500\)/,
  );
  expect(await httpGet(port())).toBe('v1');
  // The history says which version runs and which one failed.
  const { deployments } = JSON.parse((await butler('deployments', fx.repo, '--json')).stdout);
  expect(deployments[0].versions.map((v: { ended: string }) => v.ended)).toEqual(['failed', 'running']);
  expect((await butler('deployments', fx.repo)).stdout).toMatch(/running now/);
});

test('--drain: a request in flight on the old container when the swap happens completes', async () => {
  await butler(...deployArgs());
  await fx.tree.write({ 'server.js': app('v2', 200) });
  const deploy = spawn('node', [bin, ...deployArgs('--drain', '5s')], {
    env: env(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const done = new Promise<number>((resolve) => deploy.once('exit', (code) => resolve(code ?? -1)));
  // Started once the candidate runs: its health check takes at least 2 s, so this request is on
  // v1 when the swap happens, and needs another second or so after it.
  await new Promise<void>((started) => {
    deploy.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('🚦 Started')) started();
    });
  });
  const slow = new Promise<string>((resolve, reject) => {
    const req = get({ host: '127.0.0.1', port: port(), path: '/slow', agent: false }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve(body));
    });
    req.on('error', reject);
  });
  expect(await slow).toBe('slow v1');
  expect(await done).toBe(0);
  expect(await httpGet(port())).toBe('v2');
});

test('--health-path without a published port, or not starting with /, is a usage error', async () => {
  for (const args of [
    ['deploy', fx.tree.dir, '--health-path', '/up'],
    deployArgs('--health-path', 'up'),
    deployArgs('--drain', 'soon'),
  ]) {
    const error = await butler(...args).catch((e: { code: number; stderr: string }) => e);
    expect(error).toMatchObject({ code: 2 });
  }
});
