import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import {
  createContainer,
  engineEndpoint,
  ensureNetwork,
  isLocalEndpoint,
  type LocalEngineEndpoint,
  logTail,
  removeContainer,
  startContainer,
} from '@devops-butler/engine-client';
import { freePort, OWNER_LABEL, useEngineFixture } from '@devops-butler/test-support';
import { afterEach, expect, test } from 'vitest';
import { localProbe, waitHealthy } from './health.js';

const run = promisify(execFile);
const endpoint: LocalEngineEndpoint = (() => {
  const found = engineEndpoint(process.env);
  if (!isLocalEndpoint(found)) throw new Error('these tests need the engine on this machine');
  return found;
})();

const SERVER = `require('node:http').createServer((q, s) => s.end('hello from ' + process.env.WHO)).listen(3000);`;
const fx = useEngineFixture('containers', ({ repo }) => ({
  Dockerfile: `FROM butler-test/node:latest\nLABEL ${OWNER_LABEL}=${repo}\nCOPY server.js /server.js\nCMD ["node", "/server.js"]\n`,
  'server.js': SERVER,
}));

const made: { containers: string[]; networks: string[] } = { containers: [], networks: [] };
afterEach(async () => {
  for (const id of made.containers.splice(0)) await removeContainer(endpoint, id, 0);
  for (const name of made.networks.splice(0))
    await run('docker', ['network', 'rm', name]).catch(() => undefined);
});

async function imageOf(tag: string): Promise<string> {
  const image = `local-registry/${fx.repo}:${tag}`;
  await run('docker', ['build', '-q', '-t', image, fx.tree.dir], {
    env: { ...process.env, DOCKER_BUILDKIT: '0' },
  });
  return image;
}

test('a container on its own network answers on its 127.0.0.1 port once healthy; a clash is one clear error', async () => {
  const network = `${fx.repo}-net`;
  await ensureNetwork(endpoint, network);
  made.networks.push(network);
  await ensureNetwork(endpoint, network); // a second deploy finds it
  const port = await freePort();
  const spec = {
    name: `${fx.repo}-app`,
    image: await imageOf('v1'),
    network,
    env: { WHO: 'v1' },
    ports: [{ hostIp: '127.0.0.1', host: port, container: 3000 }],
    labels: { [OWNER_LABEL]: fx.repo },
  };
  const id = await createContainer(endpoint, spec);
  made.containers.push(id);
  await startContainer(endpoint, id, spec.ports);
  expect(await waitHealthy(endpoint, id, { probe: localProbe(endpoint, port), settleMs: 500 })).toEqual({
    healthy: true,
  });
  expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe('hello from v1');

  // The same host port for a second container: refused with the port named.
  const second = await createContainer(endpoint, { ...spec, name: `${fx.repo}-app2` });
  made.containers.push(second);
  await expect(startContainer(endpoint, second, spec.ports)).rejects.toThrow(
    `port 127.0.0.1:${port} is already in use`,
  );
  await expect(createContainer(endpoint, spec)).rejects.toThrow(
    `a container named "${fx.repo}-app" already exists`,
  );
});

test('a container that exits is not healthy, and its last log lines are there to show', async () => {
  await fx.tree.write({
    'server.js': "console.log('starting'); console.error('missing DATABASE_URL'); process.exit(3);",
  });
  const network = `${fx.repo}-net`;
  await ensureNetwork(endpoint, network);
  made.networks.push(network);
  const spec = {
    name: `${fx.repo}-bad`,
    restart: false,
    image: await imageOf('bad'),
    network,
    env: {},
    ports: [],
    labels: {},
  };
  const id = await createContainer(endpoint, spec);
  made.containers.push(id);
  await startContainer(endpoint, id, []);
  const health = await waitHealthy(endpoint, id, { settleMs: 1500, timeoutMs: 20_000 });
  expect(health).toEqual({ healthy: false, reason: 'the container exited with code 3' });
  expect(await logTail(endpoint, id)).toEqual(expect.arrayContaining(['starting', 'missing DATABASE_URL']));
});
