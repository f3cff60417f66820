import { useEngineFixture } from '@devops-butler/test-support';
import { expect, test } from 'vitest';
import { runButler } from './cli-runner.fixture.js';

const fx = useEngineFixture('cli-first-hour', ({ from }) => ({
  Dockerfile: `${from}RUN echo "step output before failing" && exit 3\n`,
}));

function butler(...args: string[]) {
  return runButler(args, { env: { ...process.env, BUTLER_STATE_DIR: fx.stateDir } });
}

test('failed builds are recorded: stats counts them instead of saying nothing was built', async () => {
  for (let i = 0; i < 2; i++) {
    const failed = await butler('build', fx.tree.dir, '--repo', fx.repo);
    expect(failed.code).toBe(1);
  }
  const stats = JSON.parse((await butler('stats', '--repo', fx.repo, '--json')).stdout);
  expect(stats.repositories).toMatchObject([{ repo: fx.repo, builds: 0, failed: 2 }]);
  const table = (await butler('stats', '--repo', fx.repo)).stdout;
  expect(table).not.toMatch(/No Butler images and no recorded builds/);
  expect(table).toMatch(/FAILED/);
}, 120_000);

test('undeploy of an unknown name with --json prints { error } and exits 1', async () => {
  const result = await butler('undeploy', `${fx.repo}-nope`, '--json');
  expect(result.code).toBe(1);
  expect(JSON.parse(result.stdout)).toEqual({
    error: {
      code: 'DEPLOYMENT_UNKNOWN',
      message: `no deployment named "${fx.repo}-nope" is running — butler list shows the deployments`,
    },
  });
});
