import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { makeTree } from '@devops-butler/test-support';
import { expect, test } from 'vitest';
import { butlerBin as bin } from './cli-runner.fixture.js';

const run = promisify(execFile);

const TS_PROJECT = {
  Dockerfile: 'FROM scratch\n',
  'butler.config.ts': "const repo: string = 'typed';\nexport default { repo };\n",
  'butler.config.mjs': "export default { repo: 'users-own-mjs' };\n",
};

test('8 butler processes loading one TypeScript config, 5 rounds: every load succeeds', async () => {
  const tree = await makeTree(TS_PROJECT);
  try {
    for (let round = 0; round < 5; round++) {
      const results = await Promise.allSettled(
        Array.from({ length: 8 }, () => run(process.execPath, [bin, 'hash', tree.dir, '--json'])),
      );
      const failed = results.filter((r) => r.status === 'rejected');
      expect(failed, `round ${round}`).toEqual([]);
      for (const r of results) {
        if (r.status === 'fulfilled') expect(JSON.parse(r.value.stdout).repo).toBe('typed');
      }
    }
    expect(readFileSync(`${tree.dir}/butler.config.mjs`, 'utf8')).toBe(TS_PROJECT['butler.config.mjs']);
    expect(readdirSync(tree.dir).sort()).toEqual(Object.keys(TS_PROJECT).sort());
  } finally {
    await tree.remove();
  }
}, 120_000);

test('a TypeScript config loads from a read-only checkout', async () => {
  const tree = await makeTree(TS_PROJECT);
  try {
    // A read-only bind mount in a private mount namespace (root bypasses file modes, not this).
    const script = `mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && ! touch "$1/probe" 2>/dev/null && exec "$2" "$3" hash "$1" --json`;
    const { stdout } = await run('unshare', [
      '-m',
      '--propagation',
      'private',
      'sh',
      '-c',
      script,
      'sh',
      tree.dir,
      process.execPath,
      bin,
    ]);
    expect(JSON.parse(stdout).repo).toBe('typed');
  } finally {
    await tree.remove();
  }
}, 60_000);
