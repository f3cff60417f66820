import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { removeRepoImages, useRegistryLab } from '@devops-butler/test-support';
import { afterEach, expect, test } from 'vitest';
import { runButler } from './cli-runner.fixture.js';
import { useLocalDeploy } from './local-deploy.fixture.js';

const lab = useRegistryLab({ secondEngine: false });
// Registered before the deploy fixture, so it runs after it (the last registered runs first): by
// then the deployment's container is gone, and the engine lets its image go too.
afterEach(async () => {
  await removeRepoImages(`${lab.registryHost}/team/${fx.repo}`);
});
const { fx, butler, deployArgs } = useLocalDeploy(
  'deploy-remote-cache',
  "process.on('SIGTERM', () => process.exit(0));\nrequire('node:http').createServer((q, s) => s.end('ok')).listen(3000);\n",
);

const deploy = async (...extra: string[]) =>
  JSON.parse(
    (await butler(...deployArgs('--registry', `${lab.registryHost}/team`, '--json', ...extra))).stdout,
  ) as {
    build: { outcome: string; target: { tag: string } };
  };

/** The tags the lab registry holds for this test's repository (none when it never saw it). */
async function registryTags(): Promise<string[]> {
  const response = await fetch(`http://${lab.registryHost}/v2/team/${fx.repo}/tags/list`);
  if (response.status === 404) return [];
  return ((await response.json()) as { tags: string[] | null }).tags ?? [];
}

test("a trusted repository config's remoteCache reaches the deploy's build; --remote-cache beats it", async () => {
  writeFileSync(join(fx.tree.dir, 'butler.config.mjs'), 'export default { remoteCache: false };\n');
  // Trusted: the config turns the shared cache off, so nothing is pushed.
  const local = await deploy('--trust-config');
  expect(local.build.outcome).toBe('built');
  expect(await registryTags()).toEqual([]);
  // The flag beats the config, as in butler build: the reuse fills the registry.
  const pushed = await deploy('--trust-config', '--remote-cache', 'push');
  expect(pushed.build.outcome).toBe('reused');
  expect(await registryTags()).toContain(pushed.build.target.tag);
});

test('--remote-cache is checked before anything is fetched: a mode that does not exist is one line', async () => {
  const failed = await runButler(
    [
      'deploy',
      fx.tree.dir,
      '--name',
      fx.repo,
      '--registry',
      `${lab.registryHost}/team`,
      '--remote-cache',
      'sometimes',
    ],
    { env: { ...process.env, BUTLER_STATE_DIR: fx.stateDir } },
  );
  expect(failed.code).not.toBe(0);
  expect(failed.stderr.trim().split('\n')).toHaveLength(1);
  expect(failed.stderr).toContain('remote cache "sometimes" must be one of both, pull, push, off');
});
