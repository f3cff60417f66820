import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { httpGet, OWNER_LABEL } from '@devops-butler/test-support';
import { expect, test } from 'vitest';
import { useLocalDeploy } from './local-deploy.fixture.js';

const run = promisify(execFile);

// Both apps stop at once on SIGTERM (node as PID 1 would otherwise wait out the grace period).
const onTerm = "process.on('SIGTERM', () => process.exit(0));\n";
const server = (answer: string) =>
  `${onTerm}require('node:http').createServer((q, s) => s.end(${JSON.stringify(answer)})).listen(3000);\n`;
// The app appends a line to /data/starts at every start and answers how many starts it has seen.
const counter =
  onTerm +
  "const fs = require('node:fs');\nfs.appendFileSync('/data/starts', 'start\\n');\n" +
  "require('node:http').createServer((q, s) => s.end(String(fs.readFileSync('/data/starts', 'utf8').split('\\n').length - 1) + ' ' + process.env.V)).listen(3000);\n";

const local = useLocalDeploy('deploy-crash', server('v1'));
const { fx, port, butler, deployArgs, deployKilledAt } = local;

/** One request on a fresh connection, as `curl` in a loop asks. */
const ask = () => httpGet(port());

const traffic = () => local.traffic(20);

async function containerNames(): Promise<string[]> {
  const { stdout } = await run('docker', [
    'ps',
    '-a',
    '--filter',
    `label=devops-butler.deployment=${fx.repo}`,
    '--format',
    '{{.Names}}',
  ]);
  return stdout.split('\n').filter(Boolean).sort();
}

test.each(['after-health', 'after-rename-old', 'after-rename-new', 'during-drain'])(
  'killed -9 %s: the app never stops answering, and the next deploy converges',
  async (point) => {
    await butler(...deployArgs());
    expect(await ask()).toBe('v1');
    const load = traffic();
    await fx.tree.write({ 'server.js': server('v2') });
    await deployKilledAt(point);
    expect(await ask()).toMatch(/^v[12]$/);
    await butler(...deployArgs());
    expect(await ask()).toBe('v2');
    const { answered, failed } = await load.stop();
    expect(failed).toEqual([]);
    expect(answered).toBeGreaterThan(20);
    expect(await containerNames()).toEqual([fx.repo, `${fx.repo}-front`].sort());
  },
);

test('a VOLUME survives redeploys (the new container takes it over) and undeploy keeps it unless --volumes', async () => {
  await fx.tree.write({
    Dockerfile: `FROM butler-test/node:latest\nLABEL ${OWNER_LABEL}=${fx.repo}\nVOLUME /data\nCOPY server.js /server.js\nCMD ["node", "/server.js"]\n`,
    'server.js': counter,
  });
  await butler(...deployArgs('--env', 'V=a'));
  expect(await ask()).toBe('1 a');
  const first = await butler(...deployArgs('--env', 'V=b', '--force'));
  expect(first.stdout + first.stderr).toMatch(
    /keeps data in \/data: stopping it so the new container can take the volumes over/,
  );
  expect(await ask()).toBe('2 b');
  // Killed while the new container had the volume: the next deploy gives it back, nothing lost.
  await fx.tree.write({ 'server.js': `${counter}// v3\n` });
  await deployKilledAt('after-stop-old');
  // `butler list` finds the half-done deploy and starts the stopped container again on its volume.
  await butler('list');
  expect(await ask()).toBe('3 b');
  await butler(...deployArgs('--env', 'V=c'));
  expect(await ask()).toBe('4 c');
  const { stdout: volume } = await run('docker', [
    'inspect',
    '-f',
    '{{range .Mounts}}{{.Name}}{{end}}',
    fx.repo,
  ]);
  const undeployed = await butler('undeploy', fx.repo, '--timeout', '0');
  expect(undeployed.stdout).toContain(`💾 kept volume ${volume.trim()}`);
  await run('docker', ['volume', 'inspect', volume.trim()]);
  await run('docker', ['volume', 'rm', volume.trim()]);
});
