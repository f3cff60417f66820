import { StateStore } from '@devops-butler/state-store';
import { useEngineFixture } from '@devops-butler/test-support';
import { expect, test } from 'vitest';
import { buildImage } from './index.js';

const fx = useEngineFixture('build-image', ({ from }) => ({
  Dockerfile: `${from}COPY app.txt /app.txt\n`,
  'app.txt': 'v1\n',
}));

test('buildImage(dir, { forceRebuild }) builds, reuses and forces like butler build, recorded and cleaned up', async () => {
  const options = { repo: fx.repo, stateDir: fx.stateDir, env: { ...process.env, BUTLER_FORCE_REBUILD: '' } };
  const first = await buildImage(fx.tree.dir, options);
  expect(first.outcome).toBe('built');
  expect(first.cleanup).toBeDefined(); // retention ran for the repository, as after butler build
  expect((await buildImage(fx.tree.dir, options)).outcome).toBe('reused');
  const forced = await buildImage(fx.tree.dir, { ...options, forceRebuild: true });
  expect(forced.outcome).toBe('forced');
  expect(forced.target.tag).toBe(first.target.tag);
  const store = StateStore.open(fx.stateDir);
  try {
    expect(store.stats(fx.repo)).toMatchObject([{ repo: fx.repo, builds: 3, hits: 1, misses: 1, forced: 1 }]);
    expect(store.manifest(first.target.digest)).toBeDefined(); // what `butler why` diffs against
  } finally {
    store.close();
  }
});

test('BUTLER_FORCE_REBUILD=true forces a library build too', async () => {
  const options = { repo: fx.repo, stateDir: fx.stateDir };
  await buildImage(fx.tree.dir, { ...options, env: { ...process.env, BUTLER_FORCE_REBUILD: '' } });
  const forced = await buildImage(fx.tree.dir, {
    ...options,
    env: { ...process.env, BUTLER_FORCE_REBUILD: 'true' },
  });
  expect(forced.outcome).toBe('forced');
});
