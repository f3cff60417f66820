import { makeTree, useTempDirs } from '@devops-butler/test-support';
import { expect, test } from 'vitest';
import { hashContext } from '../hashing/hash-context.js';
import { createManifestPlugin } from './manifest-plugin.js';

const tempDir = useTempDirs();

const demo = () =>
  createManifestPlugin({
    ecosystem: 'demo',
    manifests: ['deps.lock'],
    heavyFolders: ['deps_cache'],
    parse: () => ({ dependencies: [{ name: 'a', version: '1', direct: true }] }),
  });

test('warns about a heavy folder in the context, at any depth, until .dockerignore leaves it out, on every run', async () => {
  const tree = await makeTree({
    Dockerfile: 'FROM scratch\nCOPY . /\n',
    'deps.lock': 'a==1\n',
    'app/deps_cache/a.bin': 'x',
    'deps_cache_notes.txt': 'not the folder',
  });
  const state = tempDir('butler-heavy-');
  const warnings = async () =>
    (await hashContext({ context: tree.dir, stateDir: state, plugins: [demo()] })).hashed.context.warnings;
  const warning = 'demo: deps_cache is in the build context; add "**/deps_cache" to .dockerignore';
  try {
    expect(await warnings()).toEqual([warning]);
    expect(await warnings()).toEqual([warning]); // the same answer from the remembered finds
    await tree.write({ '.dockerignore': '**/deps_cache\n' });
    expect(await warnings()).toEqual([]);
    await tree.write({ '.dockerignore': '' });
    expect(await warnings()).toEqual([warning]);
  } finally {
    await tree.remove();
  }
});
