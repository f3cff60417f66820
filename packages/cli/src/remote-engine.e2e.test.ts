import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  freePort,
  httpGet,
  makeTree,
  OWNER_LABEL,
  repoRoot,
  useEngineFixture,
} from '@devops-butler/test-support';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { runButler } from './cli-runner.fixture.js';

const run = promisify(execFile);

// Engines reached the ways docker reaches a remote one: this machine's over ssh (an sshd of the
// tests' own on 127.0.0.1, key login only); a second dockerd on tcp://127.0.0.1 with --tlsverify and
// certificates made here with openssl; and a docker context naming either.
const fx = useEngineFixture('remote', ({ from }) => ({
  Dockerfile: `${from}COPY app.txt /app.txt\n`,
  'app.txt': 'v1\n',
}));

const sshDir = `/tmp/butler-sshd-${process.pid}`;
const sshScript = join(repoRoot(), 'scripts/sshd-service.sh');
let sshConfig = '';
let tls: { dir: string; port: number; stop: () => Promise<void> } | undefined;

beforeAll(async () => {
  sshConfig = (await run('bash', [sshScript, 'start', sshDir], { timeout: 300_000 })).stdout.trim();
  tls = await startTlsEngine();
}, 300_000);
afterAll(async () => {
  await tls?.stop();
  if (tls) rmSync(tls.dir, { recursive: true, force: true });
  await run('bash', [sshScript, 'stop', sshDir]);
});

function butler(env: NodeJS.ProcessEnv, ...args: string[]) {
  const clean = { ...process.env };
  for (const name of [
    'DOCKER_HOST',
    'DOCKER_CONTEXT',
    'DOCKER_TLS_VERIFY',
    'DOCKER_CERT_PATH',
    'DOCKER_CONFIG',
  ])
    delete clean[name];
  return runButler(args, {
    env: { ...clean, BUTLER_STATE_DIR: fx.stateDir, BUTLER_SSH_CONFIG: sshConfig, ...env },
    timeoutMs: 120_000,
  });
}

test('ssh://: build, reuse, list, stats and gc reach the engine through OpenSSH, as docker does', async () => {
  const host = 'ssh://butler-test-engine';
  const built = await butler({}, 'build', fx.tree.dir, '--repo', fx.repo, '-H', host, '--json');
  expect(built.code).toBe(0);
  expect(JSON.parse(built.stdout)).toMatchObject({ outcome: 'built', builder: { builder: 'buildkit' } });
  const again = await butler({ DOCKER_HOST: host }, 'build', fx.tree.dir, '--repo', fx.repo, '--json');
  expect(JSON.parse(again.stdout).outcome).toBe('reused');
  const list = await butler({}, 'list', '--repo', fx.repo, '--json', '--host', host);
  expect(JSON.parse(list.stdout).images).toHaveLength(1);
  const stats = await butler({ DOCKER_HOST: host }, 'stats', '--repo', fx.repo, '--json');
  expect(JSON.parse(stats.stdout)).toMatchObject({
    engine: 'ssh://butler-test-engine',
    repositories: [{ disk: { images: 1 }, builds: 2, hits: 1, misses: 1 }],
  });
  // The same state folder, asked about the local socket: that engine's history has none of them
  // (here both reach one dockerd, so the image itself is there).
  const local = JSON.parse((await butler({}, 'stats', '--repo', fx.repo, '--json')).stdout);
  expect(local.repositories).toMatchObject([{ builds: 0, disk: { images: 1 } }]);
  const gc = await butler({ DOCKER_HOST: host }, 'gc', '--repo', fx.repo, '--json', '--dry-run');
  expect(gc.code).toBe(0);
}, 180_000);

test('ssh:// failures are one line naming the host and the fix: refused key, unknown host key, nothing listening', async () => {
  const refused = await butler({}, 'list', '-H', 'ssh://nobody@butler-test-engine');
  expect(refused.code).toBe(1);
  expect(refused.stderr.trim()).toMatch(
    /^✖ cannot reach the Docker engine at ssh:\/\/nobody@butler-test-engine: .*Permission denied.* — nobody@butler-test-engine refused the key/,
  );
  // The same host, with a known_hosts that does not know it.
  const config = readFileSync(sshConfig, 'utf8').replace(
    /UserKnownHostsFile .*/,
    `UserKnownHostsFile ${sshDir}/empty`,
  );
  writeFileSync(`${sshDir}/ssh_config_unknown`, config);
  writeFileSync(`${sshDir}/empty`, '');
  const unknown = await butler(
    { BUTLER_SSH_CONFIG: `${sshDir}/ssh_config_unknown` },
    'list',
    '-H',
    'ssh://butler-test-engine',
  );
  expect(unknown.stderr.trim()).toMatch(
    /Host key verification failed.* — the host key of butler-test-engine is unknown or changed/,
  );
  const closed = await butler({}, 'list', '-H', 'ssh://root@127.0.0.1:1');
  expect(closed.stderr.trim()).toMatch(
    /Connection refused — check that 127\.0\.0\.1 is reachable and runs sshd on port 1$/,
  );
  for (const result of [refused, unknown, closed]) expect(result.stderr.trim().split('\n')).toHaveLength(1);
}, 120_000);

test("deploy over ssh://: the front is made there and health is checked from the engine's side; a redeploy swaps; undeploy", async () => {
  const server = (v: string) => `require('node:http').createServer((q, s) => s.end('${v}')).listen(3000);`;
  const app = await makeTree({
    Dockerfile: `FROM butler-test/node:latest\nLABEL ${OWNER_LABEL}=${fx.repo}\nCOPY server.js /server.js\nCMD ["node", "/server.js"]\n`,
    'server.js': server('v1'),
  });
  const port = await freePort();
  const remote = ['-H', 'ssh://butler-test-engine'];
  const deploy = () =>
    butler(
      {},
      'deploy',
      app.dir,
      ...remote,
      '--name',
      fx.repo,
      '--repo',
      fx.repo,
      '-p',
      `${port}:3000`,
      '--health-path',
      '/',
    );
  try {
    const first = await deploy();
    expect(first.stderr).not.toMatch(/✖/);
    expect(first.code).toBe(0);
    // 127.0.0.1 of the remote host is said, not assumed reachable from here.
    expect(first.stdout).toMatch(
      /published on 127\.0\.0\.1 of ssh:\/\/butler-test-engine: only that host reaches them/,
    );
    expect(await httpGet(port)).toBe('v1');
    await app.write({ 'server.js': server('v2') });
    const second = await deploy();
    expect(second.code).toBe(0);
    expect(await httpGet(port)).toBe('v2');
    // The candidate published nothing: its health was asked through the front, on the engine's side.
    const bindings = await run('docker', ['inspect', '-f', '{{json .HostConfig.PortBindings}}', fx.repo]);
    expect(JSON.parse(bindings.stdout) ?? {}).toEqual({});
    const listed = JSON.parse((await butler({}, 'list', ...remote, '--json')).stdout);
    expect(listed.deployments).toEqual([
      expect.objectContaining({ name: fx.repo, status: 'running', engine: 'ssh://butler-test-engine' }),
    ]);
    // The same deployment is not on the local socket's list: records are kept per engine.
    expect(JSON.parse((await butler({}, 'list', '--json')).stdout).deployments).toEqual([]);
  } finally {
    const gone = await butler({}, 'undeploy', fx.repo, ...remote, '--timeout', '0');
    expect(gone.code).toBe(0);
    await app.remove();
  }
}, 180_000);

test('tcp:// with TLS: DOCKER_TLS_VERIFY and DOCKER_CERT_PATH as docker reads them; an untrusted engine is one line', async () => {
  const { dir, port } = tls as { dir: string; port: number };
  const env = {
    DOCKER_HOST: `tcp://127.0.0.1:${port}`,
    DOCKER_TLS_VERIFY: '1',
    DOCKER_CERT_PATH: join(dir, 'client'),
  };
  const built = await butler(env, 'build', fx.tree.dir, '--repo', fx.repo, '--json');
  expect(built.code).toBe(0);
  expect(JSON.parse((await butler(env, 'list', '--repo', fx.repo, '--json')).stdout).images).toHaveLength(1);
  // Another CA: the engine's certificate is not trusted.
  const wrong = await butler({ ...env, DOCKER_CERT_PATH: join(dir, 'other') }, 'list');
  expect(wrong.code).toBe(1);
  expect(wrong.stderr.trim()).toMatch(
    new RegExp(
      `^✖ cannot reach the Docker engine at tcp://127\\.0\\.0\\.1:${port}: its TLS handshake failed \\(\\w+\\) — point DOCKER_CERT_PATH`,
    ),
  );
}, 180_000);

test('docker contexts: DOCKER_CONTEXT, the current context of the docker config, and --context; --host beats them', async () => {
  const { dir, port } = tls as { dir: string; port: number };
  const config = mkdtempSync(join(tmpdir(), 'butler-docker-config-'));
  try {
    const context = (name: string, host: string, tlsFrom?: string) => {
      const id = createHash('sha256').update(name).digest('hex');
      mkdirSync(join(config, 'contexts/meta', id), { recursive: true });
      writeFileSync(
        join(config, 'contexts/meta', id, 'meta.json'),
        JSON.stringify({
          Name: name,
          Metadata: {},
          Endpoints: { docker: { Host: host, SkipTLSVerify: false } },
        }),
      );
      if (tlsFrom) {
        mkdirSync(join(config, 'contexts/tls', id, 'docker'), { recursive: true });
        for (const file of ['ca.pem', 'cert.pem', 'key.pem'])
          writeFileSync(join(config, 'contexts/tls', id, 'docker', file), readFileSync(join(tlsFrom, file)));
      }
    };
    context('prod', 'ssh://butler-test-engine');
    context('secure', `tcp://127.0.0.1:${port}`, join(dir, 'client'));
    context('broken', 'unix:///nonexistent/engine.sock');
    writeFileSync(join(config, 'config.json'), JSON.stringify({ currentContext: 'broken' }));
    const env = { DOCKER_CONFIG: config };
    // `docker context use broken`: every command goes there, and says where it tried.
    const current = await butler(env, 'list');
    expect(current.stderr).toMatch(/cannot reach the Docker engine at unix:\/\/\/nonexistent\/engine\.sock/);
    for (const [how, extra] of [
      ['DOCKER_CONTEXT', { DOCKER_CONTEXT: 'prod' }],
      ['--context', {}],
    ] as const) {
      const args = how === '--context' ? ['--context', 'secure'] : [];
      const listed = await butler({ ...env, ...extra }, 'list', '--repo', fx.repo, '--json', ...args);
      expect(listed.code, how).toBe(0);
    }
    // --host wins over the current context; both flags at once is a usage error.
    expect((await butler(env, 'list', '-H', 'unix:///var/run/docker.sock')).code).toBe(0);
    expect((await butler(env, 'list', '-H', 'unix:///var/run/docker.sock', '--context', 'prod')).code).toBe(
      2,
    );
    const missing = await butler(env, 'list', '--context', 'nope');
    expect(missing.stderr.trim()).toBe(
      '✖ there is no docker context named "nope" — docker context ls lists them; docker context use default goes back to the local engine',
    );
  } finally {
    rmSync(config, { recursive: true, force: true });
  }
}, 180_000);

/**
 * A TLS front for the local engine, as `dockerd --tlsverify` would be: its certificate signed by a
 * CA of the test's, client certificates required (client/{ca,cert,key}.pem), and a second CA
 * (other/) that signed nothing of the server's.
 */
/** Certificates made with openssl (a CA, the engine's, a client's; another CA) and an engine that demands them. */
async function startTlsEngine(): Promise<{ dir: string; port: number; stop: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'butler-tls-'));
  const ssl = (...args: string[]) => run('openssl', args, { cwd: dir });
  for (const ca of ['ca', 'other-ca']) {
    await ssl(
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      `/CN=${ca}`,
      '-keyout',
      `${ca}-key.pem`,
      '-out',
      `${ca}.pem`,
    );
  }
  const sign = async (name: string, cn: string, ext: string) => {
    await ssl(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      `/CN=${cn}`,
      '-keyout',
      `${name}-key.pem`,
      '-out',
      `${name}.csr`,
    );
    writeFileSync(join(dir, `${name}.ext`), ext);
    await ssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca-key.pem',
      '-CAcreateserial',
      '-days',
      '1',
      '-extfile',
      `${name}.ext`,
      '-out',
      `${name}.pem`,
    );
  };
  await sign('server', '127.0.0.1', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  await sign('client', 'client', 'extendedKeyUsage=clientAuth\n');
  for (const [folder, ca] of [
    ['client', 'ca.pem'],
    ['other', 'other-ca.pem'],
  ]) {
    mkdirSync(join(dir, folder as string));
    writeFileSync(join(dir, folder as string, 'ca.pem'), readFileSync(join(dir, ca as string)));
    writeFileSync(join(dir, folder as string, 'cert.pem'), readFileSync(join(dir, 'client.pem')));
    writeFileSync(join(dir, folder as string, 'key.pem'), readFileSync(join(dir, 'client-key.pem')));
  }
  // A real dockerd (a second engine, its own data root and bridge) listening with --tlsverify.
  const port = await freePort();
  const engineDir = mkdtempSync('/tmp/butler-t-');
  const bridge = `br-t${process.pid.toString(36).slice(-6)}`;
  const socket = (
    await run('bash', [join(repoRoot(), 'scripts/second-engine.sh'), 'start', engineDir, bridge], {
      env: { ...process.env, SECOND_ENGINE_TLS: `${port}:${dir}` },
      timeout: 60_000,
    })
  ).stdout.trim();
  // No public registry: the fixture's base image comes from the first engine.
  await run('bash', ['-c', `docker save butler-test/busybox:latest | docker -H ${socket} load`]);
  const stop = () =>
    run('bash', [join(repoRoot(), 'scripts/second-engine.sh'), 'stop', engineDir, bridge], {
      timeout: 60_000,
    }).then(() => rmSync(engineDir, { recursive: true, force: true }));
  return { dir, port, stop };
}
