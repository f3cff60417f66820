import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { useEngineFixture } from '@devops-butler/test-support';
import { expect, test } from 'vitest';
import { butlerBin as bin } from './cli-runner.fixture.js';

const run = promisify(execFile);
const fx = useEngineFixture('state-permissions', ({ from }) => ({
  Dockerfile: `${from}ARG API_KEY\nCOPY app.txt /app.txt\n`,
  'app.txt': 'v1\n',
}));

const build = (stateDir: string) =>
  run('node', [bin, 'build', fx.tree.dir, '--repo', fx.repo, '--build-arg', 'API_KEY=k'], {
    env: { ...process.env, BUTLER_STATE_DIR: stateDir },
  });

/** Every path below `dir` with its permission bits. */
function modes(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (path: string, rel: string) => {
    out[rel] = (statSync(path).mode & 0o777).toString(8);
    if (statSync(path).isDirectory())
      for (const name of readdirSync(path)) walk(join(path, name), `${rel}/${name}`);
  };
  walk(dir, '.');
  return out;
}

test('a new state folder and everything Butler writes in it are for the owner alone', async () => {
  const stateDir = join(fx.stateDir, 'new', 'devops-butler');
  await build(stateDir);
  await build(stateDir);
  const found = modes(stateDir);
  expect(Object.keys(found)).toEqual(expect.arrayContaining(['./butler.db', './locks']));
  for (const [path, mode] of Object.entries(found)) {
    expect(`${path} ${mode}`).toBe(`${path} ${statSync(join(stateDir, path)).isDirectory() ? '700' : '600'}`);
  }
});

test('a state folder other users can read gets one warning that says how to fix it, and is left as it is', async () => {
  const stateDir = join(fx.stateDir, 'shared');
  mkdirSync(stateDir);
  chmodSync(stateDir, 0o755);
  const { stderr } = await build(stateDir);
  const warnings = stderr.split('\n').filter((line) => line.includes('can be read by other users'));
  expect(warnings).toHaveLength(1);
  expect(warnings[0]).toContain(`chmod 700 ${stateDir}`);
  expect((statSync(stateDir).mode & 0o777).toString(8)).toBe('755');
});
