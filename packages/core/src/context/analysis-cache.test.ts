import { execFile } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { makeTree, useTempDirs } from '@devops-butler/test-support';
import { expect, test } from 'vitest';
import { hashContext } from '../hashing/hash-context.js';

const run = promisify(execFile);
const tempDir = useTempDirs();
const stateDir = () => tempDir('butler-analysis-');

test('a remembered analysis never outlives what it was made from: Dockerfile, build args, target', async () => {
  const tree = await makeTree({
    'a.txt': 'a',
    'b.txt': 'b',
    Dockerfile: 'FROM scratch AS one\nARG WHAT=a\nCOPY ${WHAT}.txt /\nFROM scratch AS two\nCOPY b.txt /\n',
  });
  const state = stateDir();
  try {
    // Each variation hashed with the remembered analysis (twice: written, then read) must agree
    // with a fresh analysis of the same inputs.
    const variations: { buildArgs?: Record<string, string>; target?: string; dockerfile?: string }[] = [
      { target: 'one' },
      { target: 'one', buildArgs: { WHAT: 'b' } },
      { target: 'two' },
      { target: 'one', dockerfile: 'FROM scratch AS one\nCOPY b.txt a.txt /\n' },
      { target: 'one', dockerfile: 'FROM scratch AS one\nCOPY b.txt a.txt /\n# comment\n' },
    ];
    const digests = new Set<string>();
    for (const { dockerfile, ...options } of variations) {
      if (dockerfile) await tree.write({ Dockerfile: dockerfile });
      const fresh = await hashContext({ context: tree.dir, ...options });
      const first = await hashContext({ context: tree.dir, stateDir: state, ...options });
      const second = await hashContext({ context: tree.dir, stateDir: state, ...options });
      expect([first.digest, second.digest]).toEqual([fresh.digest, fresh.digest]);
      expect(second.inputs.files.map((f) => f.path)).toEqual(fresh.inputs.files.map((f) => f.path));
      digests.add(fresh.digest);
    }
    expect(digests.size).toBe(variations.length);
    // One small file per Dockerfile, replaced as it changes; a torn one is analysed again.
    const files = readdirSync(join(state, 'analysis-cache'));
    expect(files).toHaveLength(1);
    writeFileSync(join(state, 'analysis-cache', files[0] as string), '{"key":');
    const after = await hashContext({ context: tree.dir, stateDir: state, target: 'one' });
    expect(after.digest).toBe((await hashContext({ context: tree.dir, target: 'one' })).digest);
  } finally {
    await tree.remove();
  }
}, 30_000);

test('a hit whose Dockerfile was analysed before does not load the Dockerfile parser', async () => {
  const tree = await makeTree({ 'a.txt': 'a', Dockerfile: 'FROM scratch\nCOPY a.txt /\n' });
  const state = stateDir();
  const core = fileURLToPath(new URL('../../dist/index.js', import.meta.url));
  // A fresh process each time, as each `butler build` is.
  const script = `const { hashContext } = await import(${JSON.stringify(core)});
const { digest } = await hashContext({ context: ${JSON.stringify(tree.dir)}, stateDir: ${JSON.stringify(state)} });
const { createRequire } = await import('node:module');
const loaded = Object.keys(createRequire(import.meta.url).cache).some((p) => p.includes('dockerfile-ast'));
console.log(JSON.stringify({ digest, loaded }));`;
  const once = async () =>
    JSON.parse((await run('node', ['--input-type=module', '-e', script])).stdout) as {
      digest: string;
      loaded: boolean;
    };
  try {
    const first = await once();
    const second = await once();
    expect(first).toMatchObject({ loaded: true });
    expect(second).toEqual({ digest: first.digest, loaded: false });
  } finally {
    await tree.remove();
  }
}, 30_000);
