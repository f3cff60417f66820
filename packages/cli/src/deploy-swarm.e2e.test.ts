import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import {
  freePort,
  httpGet,
  OWNER_LABEL,
  useEngineFixture,
  useRegistryLab,
} from '@devops-butler/test-support';
import { afterEach, beforeAll, expect, test } from 'vitest';
import { runButler } from './cli-runner.fixture.js';

const run = promisify(execFile);

// A one-node swarm: the lab's second engine (own data root and bridge) after `docker swarm init`,
// and the lab's registry, which the node pulls from by digest. This sandbox has no IPVS, so the
// routing mesh does not forward published ports: the app is reached through a host-mode port.
const lab = useRegistryLab();
const SERVER = (version: string) =>
  `require('node:http').createServer((q, s) => s.end('${version}')).listen(3000);`;
const CRASH = `console.error('boom: the database is gone'); process.exit(3);`;
// The container answers on its own port 3000 (Swarm runs this inside it).
const HEALTH = `node -e "require('http').get('http://127.0.0.1:3000',r=>process.exit(r.statusCode===200?0:1)).on('error',()=>process.exit(1))"`;
const fx = useEngineFixture('swarm', ({ repo }) => ({
  Dockerfile: `FROM butler-test/node:latest\nLABEL ${OWNER_LABEL}=${repo}\nCOPY server.js /server.js\nCMD ["node", "/server.js"]\n`,
  'server.js': SERVER('v1'),
}));

const docker = (...args: string[]) => run('docker', ['-H', lab.engineB, ...args], { maxBuffer: 64 << 20 });
const env = () => ({
  ...process.env,
  DOCKER_HOST: lab.engineB,
  BUTLER_STATE_DIR: fx.stateDir,
  BUTLER_REGISTRY: `${lab.registryHost}/swarm`,
});
/** The CLI against the swarm's manager. */
const butler = (...args: string[]) => runButler(args, { env: env() });
const deploy = (...extra: string[]) =>
  butler('deploy', fx.tree.dir, '--name', fx.repo, '--repo', fx.repo, ...extra);
/** The service's spec as the manager has it. */
const service = async () =>
  JSON.parse((await docker('service', 'inspect', fx.repo)).stdout)[0] as {
    Version: { Index: number };
    Spec: {
      Labels: Record<string, string>;
      TaskTemplate: { ContainerSpec: { Image: string } };
      Mode: { Replicated: { Replicas: number } };
      UpdateConfig: { Parallelism: number; Order: string; FailureAction: string };
    };
    PreviousSpec?: { TaskTemplate: { ContainerSpec: { Image: string } } };
  };

beforeAll(async () => {
  // Ports of its own: another swarm on this machine (a test run beside this one) holds the defaults.
  const [control, data] = [await freePort(), await freePort()];
  await docker(
    ...['swarm', 'init', '--advertise-addr', `127.0.0.1:${control}`, '--listen-addr', `127.0.0.1:${control}`],
    ...['--data-path-port', String(data)],
  );
  // No public registry here: the base image comes from the first engine.
  await run('bash', ['-c', `docker save butler-test/node:latest | docker -H ${lab.engineB} load`]);
}, 120_000);

afterEach(async () => {
  await docker('service', 'rm', fx.repo).catch(() => undefined);
  // Task containers go with their service a moment later; their images then can go.
  for (let i = 0; i < 40; i++) {
    const { stdout } = await docker(
      'ps',
      '-aq',
      '--filter',
      `label=com.docker.swarm.service.name=${fx.repo}`,
    );
    if (!stdout.trim()) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const { stdout } = await docker('image', 'ls', '-q', '--filter', `label=${OWNER_LABEL}=${fx.repo}`);
  const ids = [...new Set(stdout.split('\n').filter(Boolean))];
  if (ids.length > 0) await docker('image', 'rm', '-f', ...ids).catch(() => undefined);
});

test('--swarm creates a service pinned by digest, a change updates it start-first with rollback, an unchanged one is no update', async () => {
  const port = await freePort();
  const first = await deploy(
    '--swarm',
    '--health-cmd',
    HEALTH,
    '-p',
    `${port}:3000`,
    '--publish-mode',
    'host',
    '--json',
  );
  expect(first.stderr).not.toMatch(/✖/);
  expect(first.code).toBe(0);
  const result = JSON.parse(first.stdout);
  expect(result.placed).toMatchObject({ target: 'swarm', name: fx.repo });
  expect(await httpGet(port)).toBe('v1');

  const spec = (await service()).Spec;
  // Every node runs the same bytes: the registry's digest of the content-hash tag.
  expect(spec.TaskTemplate.ContainerSpec.Image).toMatch(
    new RegExp(`^${lab.registryHost}/swarm/${fx.repo}:${result.build.target.tag}@sha256:[0-9a-f]{64}$`),
  );
  expect(spec.Labels['devops-butler.deployment']).toBe(fx.repo);
  expect(spec.Labels['devops-butler.content-hash']).toMatch(new RegExp(`^sha256:${result.build.target.tag}`));
  // One task at a time, rolled back by Swarm; host-mode ports cannot be held twice on a node.
  expect(spec.UpdateConfig).toMatchObject({ Parallelism: 1, FailureAction: 'rollback', Order: 'stop-first' });

  // A changed commit: the remembered settings (swarm, port, health) apply without flags.
  await fx.tree.write({ 'server.js': SERVER('v2') });
  const second = await deploy();
  expect(second.code).toBe(0);
  expect(second.stdout).toMatch(/Kept from the last deploy.*--swarm/);
  expect(second.stdout).toMatch(/Updating Swarm service/);
  expect(await httpGet(port)).toBe('v2');
  const updated = await service();
  expect(updated.PreviousSpec?.TaskTemplate.ContainerSpec.Image).toBe(spec.TaskTemplate.ContainerSpec.Image);

  const third = await deploy('--json');
  expect(JSON.parse(third.stdout).outcome).toBe('unchanged');
  expect((await service()).Version.Index).toBe(updated.Version.Index);
  expect(JSON.parse((await butler('list', '--json')).stdout).deployments).toEqual([
    expect.objectContaining({ name: fx.repo, target: 'swarm', status: 'running' }),
  ]);
}, 180_000);

test('an unhealthy version is rolled back by Swarm and Butler names the task; rollback and --to work on the service', async () => {
  const deployed = async (source: string, ...extra: string[]) => {
    await fx.tree.write({ 'server.js': source });
    return deploy('--swarm', '--health-cmd', HEALTH, '--replicas', '2', ...extra);
  };
  const v1 = JSON.parse((await deployed(SERVER('v1'), '--json')).stdout);
  const v2 = JSON.parse((await deployed(SERVER('v2'), '--json')).stdout);
  expect(v2.outcome).toBe('deployed');
  const serving = (await service()).Spec;
  expect(serving.Mode.Replicated.Replicas).toBe(2);
  expect(serving.UpdateConfig.Order).toBe('start-first');

  const broken = await deployed(CRASH);
  expect(broken.code).toBe(1);
  expect(broken.stderr).toMatch(new RegExp(`task ${fx.repo}\\.\\d+ failed: task: non-zero exit \\(3\\)`));
  expect(broken.stderr).toMatch(/Swarm rolled .* back to the previous version/);
  expect(broken.stderr).toMatch(/boom: the database is gone/);
  // Swarm's own rollback finished before Butler exited: v2 serves.
  expect((await service()).Spec.TaskTemplate.ContainerSpec.Image).toBe(
    serving.TaskTemplate.ContainerSpec.Image,
  );

  const back = await butler('rollback', fx.repo, '--json');
  expect(back.code).toBe(0);
  expect((await service()).Spec.TaskTemplate.ContainerSpec.Image).toContain(
    `:${v1.build.target.tag}@sha256:`,
  );
  const again = await butler('rollback', fx.repo, '--to', v2.build.target.tag);
  expect(again.code).toBe(0);
  expect((await service()).Spec.TaskTemplate.ContainerSpec.Image).toContain(
    `:${v2.build.target.tag}@sha256:`,
  );

  const history = JSON.parse((await butler('deployments', fx.repo, '--json')).stdout);
  expect(JSON.stringify(history)).toContain('failed');

  const gone = await butler('undeploy', fx.repo, '--json');
  expect(JSON.parse(gone.stdout)).toMatchObject({ name: fx.repo, target: 'swarm' });
  await expect(docker('service', 'inspect', fx.repo)).rejects.toThrow();
}, 240_000);

test("retention keeps the images the service's spec and previous spec name, though no container runs them here", async () => {
  await deploy('--swarm', '--keep-versions', '1', '--json');
  await fx.tree.write({ 'server.js': SERVER('v2') });
  const v2 = JSON.parse((await deploy('--json')).stdout);
  await fx.tree.write({ 'server.js': SERVER('v3') });
  // A build that is not deployed: the newest image, which latest points to.
  expect((await butler('build', fx.tree.dir, '--repo', fx.repo, '--no-cleanup')).code).toBe(0);
  const previous = (await service()).PreviousSpec?.TaskTemplate.ContainerSpec.Image as string;
  // Swarm keeps finished tasks' containers; without them only the specs say the v1 image is needed.
  await docker('container', 'prune', '-f');
  const report = JSON.parse((await butler('gc', '--keep', '0', '--json')).stdout);
  const previousId = (await docker('image', 'inspect', '-f', '{{.Id}}', previous)).stdout.trim();
  expect(report.removed.map((image: { id: string }) => image.id)).not.toContain(previousId);
  expect(report.removed.map((image: { id: string }) => image.id)).not.toContain(v2.build.image.id);
  const kept = report.kept.find((image: { id: string }) => image.id === previousId);
  expect(JSON.stringify(kept)).toContain(`service ${fx.repo} (previous)`);

  // The registry too: the manifests the spec and the previous spec name by digest stay.
  const current = (await service()).Spec.TaskTemplate.ContainerSpec.Image;
  const remote = await butler('gc', '--remote', '--keep', '0', '--min-age', '0s', '--json');
  expect(remote.code, remote.stderr + remote.stdout).toBe(0);
  const digests = (entries: { digest: string }[]) => entries.map((entry) => entry.digest);
  const report2 = JSON.parse(remote.stdout);
  for (const named of [previous, current]) {
    const digest = named.slice(named.indexOf('@') + 1);
    expect(digests(report2.removed)).not.toContain(digest);
    expect(digests(report2.kept)).toContain(digest);
  }
}, 180_000);

test('--swarm on an engine that is not a manager, or without a registry, is one line before anything is built', async () => {
  const local = await runButler(
    ['deploy', fx.tree.dir, '--name', fx.repo, '--swarm', '--registry', `${lab.registryHost}/swarm`],
    { env: { ...process.env, BUTLER_STATE_DIR: fx.stateDir } },
  );
  expect(local.code).toBe(1);
  expect(local.stderr).toMatch(/needs a swarm manager, and .* is not in a swarm — run docker swarm init/);
  const noRegistry = await butler(
    'deploy',
    fx.tree.dir,
    '--name',
    fx.repo,
    '--swarm',
    '--registry',
    'local-registry',
  );
  expect(noRegistry.code).toBe(2);
  expect(noRegistry.stderr).toMatch(/a Swarm deploy needs a registry/);
  expect(noRegistry.stderr.trim().split('\n')).toHaveLength(1);
  expect(
    (await docker('image', 'ls', '-q', '--filter', `label=${OWNER_LABEL}=${fx.repo}`)).stdout.trim(),
  ).toBe('');
  const misplaced = await butler('deploy', fx.tree.dir, '--name', fx.repo, '--replicas', '2');
  expect(misplaced.code).toBe(2);
  expect(misplaced.stderr).toMatch(/--replicas needs --swarm/);
  // A trusted repository config's `deploy: { swarm: true }` is --swarm.
  await fx.tree.write({ 'butler.config.mjs': 'export default { deploy: { swarm: true, replicas: 2 } };\n' });
  const configured = await runButler(['deploy', fx.tree.dir, '--name', fx.repo, '--trust-config'], {
    env: { ...process.env, BUTLER_STATE_DIR: fx.stateDir, BUTLER_REGISTRY: `${lab.registryHost}/swarm` },
  });
  expect(configured.stderr).toMatch(/--swarm needs a swarm manager/);
}, 60_000);
