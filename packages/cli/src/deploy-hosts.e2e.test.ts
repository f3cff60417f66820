import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { get } from 'node:http';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  freePort,
  OWNER_LABEL,
  removeRepoImages,
  repoRoot,
  useEngineFixture,
  useRegistryLab,
} from '@devops-butler/test-support';
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';
import { runButler } from './cli-runner.fixture.js';

const run = promisify(execFile);

// Two "hosts": two second engines (own data roots and bridges), each behind an sshd of its own on
// 127.0.0.1 whose sessions get that engine as DOCKER_HOST — so `ssh://butler-host-a` is reached
// exactly as a remote server is (docker system dial-stdio over OpenSSH). Each publishes the app on
// its own loopback address (127.0.0.2, 127.0.0.3), as two machines would on their own. The build
// runs on this machine's engine and goes to the lab's registry; the hosts pull it from there.
const lab = useRegistryLab();
const scripts = join(repoRoot(), 'scripts');
const hostB = { dir: '', bridge: `br-c${process.pid.toString(36).slice(-6)}`, engine: '' };
const sshd: string[] = [];
let sshConfig = '';
const HOSTS = [
  { alias: 'butler-host-a', address: '127.0.0.2' },
  { alias: 'butler-host-b', address: '127.0.0.3' },
] as const;
const engineOf = (index: number) => (index === 0 ? lab.engineB : hostB.engine);

// v3 fails only where the volume holds a "fail" file: on host b (made there before the deploy).
const SERVER = (version: string) =>
  `if (require('node:fs').existsSync('/flag/fail') && '${version}' === 'v3') { console.error('boom on this host'); process.exit(3); }\n` +
  `require('node:http').createServer((q, s) => s.end('${version}')).listen(3000);`;
const fx = useEngineFixture('hosts', ({ repo }) => ({
  Dockerfile: `FROM butler-test/node:latest\nLABEL ${OWNER_LABEL}=${repo}\nCOPY server.js /server.js\nCMD ["node", "/server.js"]\n`,
  'server.js': SERVER('v1'),
}));

beforeAll(async () => {
  hostB.dir = await mkdtemp('/tmp/butler-c-');
  hostB.engine = (
    await run('bash', [join(scripts, 'second-engine.sh'), 'start', hostB.dir, hostB.bridge], {
      timeout: 60_000,
    })
  ).stdout.trim();
  const configs: string[] = [];
  for (const [index, host] of HOSTS.entries()) {
    const dir = `/tmp/butler-sshd-${host.alias.slice(-1)}-${process.pid}`;
    sshd.push(dir);
    const file = (
      await run('bash', [join(scripts, 'sshd-service.sh'), 'start', dir, engineOf(index), host.alias], {
        timeout: 300_000,
      })
    ).stdout.trim();
    configs.push(readFileSync(file, 'utf8'));
  }
  sshConfig = join(hostB.dir, 'ssh_config');
  writeFileSync(sshConfig, configs.join('\n'));
  // Host b's volume says "fail"; busybox from this machine's engine writes it.
  await run('bash', ['-c', `docker save butler-test/busybox:latest | docker -H ${hostB.engine} load`]);
  await run('docker', ['-H', hostB.engine, 'volume', 'create', 'butler-hosts-flag']);
  await run('docker', [
    ...['-H', hostB.engine, 'run', '--rm', '-v', 'butler-hosts-flag:/flag'],
    ...['butler-test/busybox:latest', 'touch', '/flag/fail'],
  ]);
}, 400_000);

afterAll(async () => {
  for (const dir of sshd)
    await run('bash', [join(scripts, 'sshd-service.sh'), 'stop', dir]).catch(() => undefined);
  if (hostB.engine)
    await run('bash', [join(scripts, 'second-engine.sh'), 'stop', hostB.dir, hostB.bridge], {
      timeout: 60_000,
    });
  await rm(hostB.dir, { recursive: true, force: true });
}, 120_000);

afterEach(async () => {
  for (const [index] of HOSTS.entries()) {
    const engine = engineOf(index);
    const { stdout } = await run('docker', [
      '-H',
      engine,
      'ps',
      '-aq',
      '--filter',
      `label=devops-butler.deployment=${fx.repo}`,
    ]);
    const ids = stdout.split('\n').filter(Boolean);
    if (ids.length > 0) await run('docker', ['-H', engine, 'rm', '-f', ...ids]);
    const images = (
      await run('docker', ['-H', engine, 'image', 'ls', '-q', '--filter', `label=${OWNER_LABEL}=${fx.repo}`])
    ).stdout;
    const unique = [...new Set(images.split('\n').filter(Boolean))];
    if (unique.length > 0)
      await run('docker', ['-H', engine, 'image', 'rm', '-f', ...unique]).catch(() => undefined);
  }
  // The build ran here, tagged for the lab's registry: not the fixture's local-registry/ names.
  await removeRepoImages(`${lab.registryHost}/hosts/${fx.repo}`);
});

const env = () => ({
  ...process.env,
  BUTLER_STATE_DIR: fx.stateDir,
  BUTLER_SSH_CONFIG: sshConfig,
  BUTLER_REGISTRY: `${lab.registryHost}/hosts`,
});
const butler = (...args: string[]) => runButler(args, { env: env() });
/** What the app says on one host's address. */
const ask = (address: string, port: number) =>
  new Promise<string>((resolve, reject) => {
    const req = get({ host: address, port, path: '/', agent: false, timeout: 5000 }, (res) => {
      let body = '';
      res.on('data', (chunk) => {
        body += chunk;
      });
      res.on('end', () => resolve(body));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });

test('one deploy to two hosts over ssh: both updated host by host; a host failing its health check stops the rollout; rollback across both', async () => {
  const port = await freePort();
  // The hosts and their addresses come from the (trusted) repository config.
  await fx.tree.write({
    'butler.config.mjs': `export default { deploy: { hosts: ${JSON.stringify(HOSTS.map((h) => ({ host: `ssh://${h.alias}`, address: h.address })))} } };\n`,
  });
  const deploy = (...extra: string[]) =>
    butler(
      'deploy',
      fx.tree.dir,
      '--trust-config',
      '--name',
      fx.repo,
      '--repo',
      fx.repo,
      '-p',
      `${port}:3000`,
      '-v',
      'butler-hosts-flag:/flag:ro',
      ...extra,
    );

  const first = await deploy('--json');
  expect(first.stderr).not.toMatch(/✖/);
  expect(first.code, first.stdout.slice(-3000)).toBe(0);
  expect(
    JSON.parse(first.stdout).hosts.map((h: { host: string; outcome: string }) => [h.host, h.outcome]),
  ).toEqual([
    ['ssh://butler-host-a', 'deployed'],
    ['ssh://butler-host-b', 'deployed'],
  ]);
  expect([await ask('127.0.0.2', port), await ask('127.0.0.3', port)]).toEqual(['v1', 'v1']);

  await fx.tree.write({ 'server.js': SERVER('v2') });
  const second = await deploy();
  expect(second.code).toBe(0);
  // One host after the other: a's swap is done before b's starts.
  expect(second.stdout.indexOf('[ssh://butler-host-a] 🔀')).toBeLessThan(
    second.stdout.indexOf('[ssh://butler-host-b] 🚦'),
  );
  expect([await ask('127.0.0.2', port), await ask('127.0.0.3', port)]).toEqual(['v2', 'v2']);

  // v3 is healthy on a and crashes on b: a runs v3, b keeps v2, and the command says so.
  await fx.tree.write({ 'server.js': SERVER('v3') });
  const broken = await deploy();
  expect(broken.code).toBe(1);
  expect(broken.stderr).toMatch(
    /the rollout stopped at ssh:\/\/butler-host-b: the new container for .* is not healthy: the container exited with code 3.* — ssh:\/\/butler-host-a runs the new version; ssh:\/\/butler-host-b keeps the previous version/,
  );
  expect(broken.stderr).toMatch(/boom on this host/);
  expect([await ask('127.0.0.2', port), await ask('127.0.0.3', port)]).toEqual(['v3', 'v2']);

  // Rollback goes back on every host: a to v2, b already there.
  const back = await butler('rollback', fx.repo, '--json');
  expect(back.stderr).not.toMatch(/✖/);
  expect(back.code).toBe(0);
  expect(JSON.parse(back.stdout).hosts.map((h: { outcome: string }) => h.outcome)).toEqual([
    'deployed',
    'unchanged',
  ]);
  expect([await ask('127.0.0.2', port), await ask('127.0.0.3', port)]).toEqual(['v2', 'v2']);

  // Each host's history, side by side.
  const history = JSON.parse((await butler('deployments', fx.repo, '--json')).stdout).deployments;
  const running = (d: { versions: { ended: string; reference: string }[] }) =>
    d.versions.find((v) => v.ended === 'running')?.reference;
  expect(history.map((d: { engine: string }) => d.engine).sort()).toEqual([
    'ssh://butler-host-a',
    'ssh://butler-host-b',
  ]);
  expect(new Set(history.map(running)).size).toBe(1);
  expect(running(history[0])).toMatch(/:[0-9a-f]{12}$/);
  expect((await butler('deployments', fx.repo)).stdout).toMatch(/DEPLOYMENT\s+ENGINE/);

  // Undeploy leaves every host: the app and its front on each.
  const gone = await butler('undeploy', fx.repo, '--timeout', '0', '--json');
  expect(gone.code).toBe(0);
  expect(JSON.parse(gone.stdout).removedContainers).toBe(4);
  for (const [index] of HOSTS.entries()) {
    const { stdout } = await run('docker', [
      ...['-H', engineOf(index), 'ps', '-aq', '--filter', `label=devops-butler.deployment=${fx.repo}`],
    ]);
    expect(stdout.trim()).toBe('');
  }
}, 600_000);

test('several hosts need a registry and reachable hosts: one line each, before anything is built', async () => {
  const hosts = HOSTS.flatMap((h) => ['--host', `ssh://${h.alias}`]);
  const local = await butler(
    'deploy',
    fx.tree.dir,
    '--name',
    fx.repo,
    '--registry',
    'local-registry',
    ...hosts,
  );
  expect(local.code).toBe(2);
  expect(local.stderr).toMatch(/a deploy to 2 hosts needs a registry/);
  const unknown = await butler(
    'deploy',
    fx.tree.dir,
    '--name',
    fx.repo,
    '--host',
    'ssh://butler-host-a',
    '--host',
    'ssh://nobody@127.0.0.1:1',
  );
  expect(unknown.code).toBe(1);
  expect(unknown.stderr.trim().split('\n'), unknown.stderr).toHaveLength(1);
  expect(unknown.stderr).toMatch(/127\.0\.0\.1/);
  const other = await butler('list', '--host', 'ssh://butler-host-a', '--host', 'ssh://butler-host-b');
  expect(other.code).toBe(2);
  expect(other.stderr).toMatch(/only deploy takes several hosts/);
  expect(
    (await run('docker', ['image', 'ls', '-q', '--filter', `label=${OWNER_LABEL}=${fx.repo}`])).stdout.trim(),
  ).toBe('');
}, 120_000);
