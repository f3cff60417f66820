import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { generatePnpmProject, makeTree } from '@devops-butler/test-support';
import { expect, test } from 'vitest';

const run = promisify(execFile);

test('a hit on a large pnpm lockfile that did not change parses nothing and loads no YAML parser', async () => {
  const tree = await makeTree({
    Dockerfile: 'FROM scratch\nCOPY package.json pnpm-lock.yaml /app/\n',
    ...generatePnpmProject(1400),
  });
  const state = mkdtempSync(join(tmpdir(), 'butler-npm-parse-'));
  const core = fileURLToPath(new URL('../../core/dist/index.js', import.meta.url));
  const npm = fileURLToPath(new URL('../dist/index.js', import.meta.url));
  // A fresh process each time, as each `butler build` is.
  const script = `const { hashContext } = await import(${JSON.stringify(core)});
const { npm } = await import(${JSON.stringify(npm)});
const started = performance.now();
const { digest, hashed } = await hashContext({ context: ${JSON.stringify(tree.dir)}, stateDir: ${JSON.stringify(state)}, plugins: [npm()] });
const ms = performance.now() - started;
const { createRequire } = await import('node:module');
const yaml = Object.keys(createRequire(import.meta.url).cache).some((p) => /node_modules\\/yaml\\//.test(p));
console.log(JSON.stringify({ digest, yaml, ms, dependencies: hashed.context.metadata.npm.dependencies.length }));`;
  const once = async () =>
    JSON.parse((await run('node', ['--input-type=module', '-e', script])).stdout) as {
      digest: string;
      yaml: boolean;
      ms: number;
      dependencies: number;
    };
  try {
    const first = await once();
    const second = await once();
    expect(first).toMatchObject({ yaml: true, dependencies: 1400 });
    expect(second).toMatchObject({ digest: first.digest, yaml: false, dependencies: 1400 });
    console.log(
      `hash with a 1,400-package pnpm lockfile: parsed ${first.ms.toFixed(0)} ms, remembered ${second.ms.toFixed(0)} ms`,
    );
  } finally {
    await tree.remove();
    rmSync(state, { recursive: true, force: true });
  }
}, 60_000);
