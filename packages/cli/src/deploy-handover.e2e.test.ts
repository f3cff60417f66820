import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { httpGet } from '@devops-butler/test-support';
import { expect, test } from 'vitest';
import { useLocalDeploy } from './local-deploy.fixture.js';

const run = promisify(execFile);

// The app keeps a counter in the volume (one writer at a time, or the count goes wrong) and exits
// at once on SIGTERM, as busybox httpd does.
const server = (version: string) => `const fs = require('node:fs');
process.on('SIGTERM', () => process.exit(0));
const file = '/data/count';
require('node:http').createServer((q, s) => {
  const n = Number(fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : 0) + 1;
  fs.writeFileSync(file, String(n));
  s.end('${version}');
}).listen(3000);
`;
const local = useLocalDeploy('deploy-handover', server('v1'));
const { fx, port, butler, deployArgs } = local;

test('5 deploys and 5 rollbacks with a writable named volume: no request fails at a 3 s timeout, and each pause is said', async () => {
  const volume = `${fx.repo}-data`;
  try {
    await butler(...deployArgs('--volume', `${volume}:/data`));
    expect(await httpGet(port())).toBe('v1');
    const load = local.traffic(50, 3000);
    const pauses: number[] = [];
    for (let i = 2; i <= 6; i++) {
      await fx.tree.write({ 'server.js': server(`v${i}`) });
      const deployed = JSON.parse((await butler(...deployArgs('--json'))).stdout);
      expect(deployed.outcome).toBe('deployed');
      pauses.push(deployed.pausedMs);
      const back = await butler('rollback', fx.repo, '--json');
      pauses.push(JSON.parse(back.stdout).pausedMs);
    }
    const counts = await load.stop();
    console.log(
      `handover: ${counts.answered} answered, ${counts.failed.length} failed, slowest request ${counts.slowestMs} ms, pauses ${pauses.join(', ')} ms`,
    );
    expect(counts.failed).toEqual([]);
    expect(counts.answered).toBeGreaterThan(40);
    // Every swap handed the volume over, and said how long the service waited.
    expect(pauses).toHaveLength(10);
    for (const ms of pauses) expect(ms).toBeGreaterThan(0);
    expect(counts.slowestMs).toBeLessThan(3000);

    // The pause is in the history too.
    const table = (await butler('deployments', fx.repo)).stdout;
    expect(table).toMatch(/PAUSE\n/);
    expect(table).toMatch(/running now +\d+\.\ds\n/);
    const text = await butler(...deployArgs('--force'));
    expect(text.stdout).toMatch(new RegExp(`⏸ ${fx.repo}: paused \\d+\\.\\d s to hand the data volume over`));
  } finally {
    await butler('undeploy', fx.repo, '--timeout', '0').catch(() => undefined);
    await run('docker', ['volume', 'rm', volume]).catch(() => undefined);
  }
}, 300_000);

test('a connection no container takes within --hold gets a 503 with Retry-After, never an empty reply', async () => {
  const volume = `${fx.repo}-data`;
  try {
    await butler(...deployArgs('--volume', `${volume}:/data`, '--hold', '1s'));
    expect(await httpGet(port())).toBe('v1');
    // With the app stopped behind its back, nothing can take the connection.
    await run('docker', ['stop', '-t', '0', fx.repo]);
    const started = Date.now();
    const answer = await fetch(`http://127.0.0.1:${port()}/`);
    const waited = Date.now() - started;
    expect(answer.status).toBe(503);
    expect(answer.headers.get('retry-after')).toBe('1');
    expect(await answer.text()).toMatch(/No container of .* took the connection within 1 s/);
    expect(waited).toBeGreaterThanOrEqual(900);
    // --hold is remembered like the deployment's other settings.
    const again = await butler(
      ...deployArgs('--force').filter((a) => a !== '--port' && !a.endsWith(':3000')),
    );
    expect(again.stdout).toMatch(/📎 Kept from the last deploy .*--hold 1s/);
  } finally {
    await butler('undeploy', fx.repo, '--timeout', '0').catch(() => undefined);
    await run('docker', ['volume', 'rm', volume]).catch(() => undefined);
  }
}, 120_000);

test('a deploy killed -9 while the front holds connections leaves no lasting hold: the old container keeps answering', async () => {
  const volume = `${fx.repo}-data`;
  try {
    await butler(...deployArgs('--volume', `${volume}:/data`));
    await fx.tree.write({ 'server.js': server('v2') });
    const load = local.traffic(50, 5000);
    await local.deployKilledAt('after-hold');
    // Nobody renews the hold now: the front lets go by itself within about 3 s.
    await new Promise((r) => setTimeout(r, 4000));
    const counts = await load.stop();
    expect(counts.failed).toEqual([]);
    expect(counts.answers).toEqual(['v1']);
    expect(counts.slowestMs).toBeLessThan(4500);
    expect(await httpGet(port())).toBe('v1');
    // The next deploy converges: the candidate goes, v2 goes live.
    await butler(...deployArgs());
    expect(await httpGet(port())).toBe('v2');
  } finally {
    await butler('undeploy', fx.repo, '--timeout', '0').catch(() => undefined);
    await run('docker', ['volume', 'rm', volume]).catch(() => undefined);
  }
}, 180_000);
