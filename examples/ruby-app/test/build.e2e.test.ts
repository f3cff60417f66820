import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { LABELS } from '@devops-butler/core';
import { readFixtureTree, repoRoot, useEngineFixture } from '@devops-butler/test-support';
import { expect, test } from 'vitest';

const run = promisify(execFile);
const here = `${repoRoot()}/examples/ruby-app`;

const fx = useEngineFixture('ruby-app', ({ from }) => {
  const files = readFixtureTree(here);
  return {
    ...files,
    Dockerfile: (files.Dockerfile as string).replace(/^FROM .*\n/, from),
    // The copy's butler.config.ts imports the plugin the way the example does: from node_modules.
    node_modules: { symlink: `${here}/node_modules` },
  };
});

const butler = (...args: string[]) =>
  run(process.execPath, [`${repoRoot()}/packages/cli/bundle/bin.js`, ...args], {
    env: { ...process.env, BUTLER_STATE_DIR: fx.stateDir },
  });

test('butler.config.ts brings in the third-party Bundler plugin: gems in the output, the label and the hash', async () => {
  const { stdout } = await butler('build', fx.tree.dir, '--repo', fx.repo, '--no-cleanup');
  expect(stdout).toContain('📚 bundler: 2 direct, 4 transitive dependencies');
  const { stdout: json } = await butler('build', fx.tree.dir, '--repo', fx.repo, '--json', '--no-cleanup');
  const result = JSON.parse(json);
  expect(result.outcome).toBe('reused');
  expect(JSON.parse(result.image.labels[LABELS.dependencies]).bundler.direct).toEqual({
    rack: '3.1.7',
    sinatra: '4.0.0',
  });

  // A gem bump in the lockfile alone is a new hash: the image is rebuilt.
  await fx.tree.write({
    'Gemfile.lock': readFixtureTree(here)['Gemfile.lock']?.replace('rack (3.1.7)', 'rack (3.1.8)') ?? '',
  });
  const bumped = JSON.parse(
    (await butler('build', fx.tree.dir, '--repo', fx.repo, '--json', '--no-cleanup')).stdout,
  );
  expect(bumped.outcome).toBe('built');
  expect(bumped.target.tag).not.toBe(result.target.tag);
});
