import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { StateStore } from '@devops-butler/state-store';
import { captureIo, makeTree } from '@devops-butler/test-support';
import { afterAll, expect, test } from 'vitest';
import { butlerBin as bin } from './cli-runner.fixture.js';
import { main } from './main.js';

const run = promisify(execFile);
const stateDir = mkdtempSync(join(tmpdir(), 'butler-first-hour-'));
afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

async function butlerIn(files: Record<string, string>, args: (dir: string) => string[]) {
  const tree = await makeTree({ Dockerfile: 'FROM scratch\n', ...files });
  const c = captureIo({ env: { BUTLER_STATE_DIR: stateDir } });
  try {
    const code = await main(args(tree.dir), c.io);
    return { code, out: c.out(), err: c.err() };
  } finally {
    await tree.remove();
  }
}

test('a butler.config.ts with TypeScript-only syntax loads without the TypeScript compiler', async () => {
  const config = [
    "import type { ButlerConfig } from './config-types.js';",
    'interface Team { name: string }',
    "enum Stage { Prod = 'prod' }",
    "const team: Team = { name: 'payments' };",
    'const args = <const>{ STAGE: Stage.Prod };',
    'export default { repo: `${team.name}-api`, buildArgs: { ...args } } satisfies ButlerConfig;',
  ].join('\n');
  const result = await butlerIn(
    { 'butler.config.ts': config, 'config-types.ts': 'export type ButlerConfig = { repo?: string };\n' },
    (dir) => ['hash', dir, '--json'],
  );
  expect(result.err).toBe('');
  expect(JSON.parse(result.out)).toMatchObject({ repo: 'payments-api' });
});

test.each([
  ['a missing `});`', "export default defineConfig({\n  repo: 'x',\n", 3, 1],
  ['an extra `}`', "export default {\n  repo: 'x',\n}}\n", 3, 2],
  ['`]` for `}`', "export default {\n  buildArgs: { A: '1' ],\n};\n", 2, 23],
  // The later key would land inside buildArgs; the parser stops at the file's end instead.
  ['an unclosed object', "export default {\n  buildArgs: {\n    A: '1',\n  concurrency: 1,\n};\n", 5, 2],
])(
  'a butler.config.ts with %s is one line naming file, line and column (exit 2)',
  async (_what, text, line, column) => {
    const result = await butlerIn({ 'butler.config.ts': text }, (dir) => ['hash', dir]);
    expect(result.code).toBe(2);
    expect(result.err).toMatch(
      new RegExp(
        `^✖ syntax error at .*/butler\\.config\\.ts:${line}:${column}: [^\\n]+ — fix the config file[^\\n]*\\n$`,
      ),
    );
    expect(result.out).toBe('');
  },
);

test('a broken butler.config.mjs names its line and column too (Node says neither)', async () => {
  const result = await butlerIn({ 'butler.config.mjs': "export default {\n  repo: 'x' }}\n" }, (dir) => [
    'hash',
    dir,
  ]);
  expect(result.code).toBe(2);
  expect(result.err).toMatch(/^✖ syntax error at .*\/butler\.config\.mjs:2:14: Unexpected token '}'/);
});

test('the stripped config is remembered in the state folder and serves the next process', async () => {
  const own = mkdtempSync(join(tmpdir(), 'butler-ts-cache-'));
  const tree = await makeTree({
    Dockerfile: 'FROM scratch\n',
    'butler.config.ts': "const repo: string = 'remembered';\nexport default { repo };\n",
  });
  try {
    const env = { ...process.env, BUTLER_STATE_DIR: own };
    for (let i = 0; i < 2; i++) {
      const { stdout } = await run(process.execPath, [bin, 'hash', tree.dir, '--json'], { env });
      expect(JSON.parse(stdout).repo).toBe('remembered');
    }
    expect(readdirSync(join(own, 'config-cache'))).toHaveLength(1);
    // A changed config is stripped again, never served from the old entry.
    await tree.write({ 'butler.config.ts': "const repo: string = 'changed';\nexport default { repo };\n" });
    const { stdout } = await run(process.execPath, [bin, 'hash', tree.dir, '--json'], { env });
    expect(JSON.parse(stdout).repo).toBe('changed');
  } finally {
    await tree.remove();
    rmSync(own, { recursive: true, force: true });
  }
}, 60_000);

test('output piped into a reader that stops early ends quietly with exit 0', async () => {
  // Enough files that the JSON outgrows the pipe's buffer, so the write after `head` left fails.
  const files = Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`src/f${i}.txt`, `${i}`]));
  const tree = await makeTree({ Dockerfile: 'FROM scratch\nCOPY src /src\n', ...files });
  try {
    const { stdout, stderr } = await run('bash', [
      '-c',
      `"${process.execPath}" "${bin}" hash "${tree.dir}" --json --no-config | head -c 10; echo " status=\${PIPESTATUS[0]}"`,
    ]);
    expect(stdout).toMatch(/ status=0\n$/);
    expect(stderr).toBe('');
  } finally {
    await tree.remove();
  }
}, 60_000);

test.each([
  [
    ['build', '--forse'],
    /^✖ butler build has no option --forse — did you mean --force\? \(run butler build --help/,
  ],
  [['biuld'], /^✖ butler has no command "biuld" — did you mean butler build\? \(run butler --help/],
  [['stats', '--jsno'], /^✖ butler stats has no option --jsno — did you mean --json\?/],
  [
    ['build', '--repo', '-x'],
    /^✖ --repo needs a value; to give "-x", which starts with "-", write --repo=-x/,
  ],
  [['build', '--force=yes'], /^✖ --force takes no value/],
  [
    ['build', '--zzzzzz'],
    /^✖ butler build has no option --zzzzzz \(run butler build --help for its options\)/,
  ],
])(
  'butler %j is one usage line in one style, with a suggestion where one is close',
  async (args, message) => {
    const c = captureIo();
    expect(await main(args, c.io)).toBe(2);
    expect(c.err()).toMatch(message);
    expect(c.err().trim().split('\n')).toHaveLength(1);
    expect(c.err()).not.toMatch(/'/);
  },
);

test('--help names the documentation by URL, not a folder npm users do not have', async () => {
  const c = captureIo();
  await main(['--help'], c.io);
  expect(c.out()).toMatch(/Docs: https:\/\/\S+/);
  expect(c.out()).not.toMatch(/docs\/ in the repository/);
});

test('a DOCKER_HOST that is no address is one line naming it, not a missing package', async () => {
  const c = captureIo({ env: { BUTLER_STATE_DIR: stateDir, DOCKER_HOST: 'nonsense' } });
  expect(await main(['list'], c.io)).toBe(2);
  expect(c.err()).toMatch(/^✖ DOCKER_HOST="nonsense" is not an engine address — set it to unix:\/\//);
});

test('an unreachable engine names the address it tried and no file of this repository', async () => {
  const c = captureIo({
    env: { BUTLER_STATE_DIR: stateDir, DOCKER_HOST: 'unix:///nonexistent/docker.sock' },
  });
  expect(await main(['list'], c.io)).toBe(1);
  expect(c.err()).toMatch(
    /cannot reach the Docker engine at unix:\/\/\/nonexistent\/docker\.sock \(ENOENT\)/,
  );
  expect(c.err()).not.toMatch(/scripts\//);
});

test('stats with the engine down says disk use is unknown, not 0 (and null in --json)', async () => {
  const own = mkdtempSync(join(tmpdir(), 'butler-stats-down-'));
  try {
    const store = StateStore.open(own);
    store.recordFailure({
      repo: 'never-built',
      code: 'BUILD_FAILED',
      durationMs: 1200,
      // Recorded against the engine this stats asks about (histories are kept per engine).
      engine: 'unix:///nonexistent/docker.sock',
      at: new Date().toISOString(),
    });
    store.close();
    const env = { BUTLER_STATE_DIR: own, DOCKER_HOST: 'unix:///nonexistent/docker.sock' };
    const text = captureIo({ env });
    expect(await main(['stats'], text.io)).toBe(0);
    expect(text.out()).toMatch(/never-built +unknown +unknown +0 +0 +0 +0 +1 /);
    expect(text.err()).toMatch(/disk use is unknown/);
    const json = captureIo({ env });
    await main(['stats', '--json'], json.io);
    expect(JSON.parse(json.out())).toMatchObject({
      repositories: [{ repo: 'never-built', disk: null, failed: 1 }],
      total: { disk: null, failed: 1 },
    });
  } finally {
    rmSync(own, { recursive: true, force: true });
  }
});

test('deployments lists an undeployed deployment too; an unknown name is an error, in --json as well', async () => {
  const own = mkdtempSync(join(tmpdir(), 'butler-deployments-'));
  try {
    const store = StateStore.open(own);
    const base = {
      name: 'gone',
      repo: 'gone',
      source: '/src/gone',
      imageId: 'sha256:aa',
      reference: 'local-registry/gone:aaaaaaaaaaaa',
    };
    store.recordDeployment({ ...base, outcome: 'deployed', at: '2026-12-01T10:00:00.000Z' });
    store.recordDeployment({ ...base, outcome: 'undeployed', at: '2026-12-01T11:00:00.000Z' });
    store.close();
    const all = captureIo({ env: { BUTLER_STATE_DIR: own } });
    expect(await main(['deployments'], all.io)).toBe(0);
    expect(all.out()).toMatch(
      /^gone +- +local-registry\/gone:aaaaaaaaaaaa +2026-12-01T10:00:00Z +undeployed/m,
    );
    const unknown = captureIo({ env: { BUTLER_STATE_DIR: own } });
    expect(await main(['deployments', 'nope', '--json'], unknown.io)).toBe(1);
    expect(JSON.parse(unknown.out())).toMatchObject({ error: { code: 'DEPLOYMENT_UNKNOWN' } });
  } finally {
    rmSync(own, { recursive: true, force: true });
  }
});

test('the installed butler runs from its own #! line: the node on PATH accepts its flags', async () => {
  // npm links `butler` to bundle/bin.js and runs the file; pnpm's shim copies the #! line's flags.
  // A flag Node rejected there would stop every command before it started.
  const tree = await makeTree({ Dockerfile: 'FROM scratch\nCOPY . /app/\n', 'a.txt': 'a' });
  try {
    const PATH = `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}`;
    const { stdout } = await run(bin, ['hash', tree.dir, '--json', '--no-config'], {
      env: { ...process.env, PATH, BUTLER_STATE_DIR: stateDir },
    });
    expect(JSON.parse(stdout).tag).toMatch(/^[0-9a-f]{12}$/);
  } finally {
    await tree.remove();
  }
}, 60_000);
