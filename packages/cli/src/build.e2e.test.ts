import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { useEngineFixture } from '@devops-butler/test-support';
import { expect, test } from 'vitest';
import { runButler } from './cli-runner.fixture.js';

const run = promisify(execFile);
const fx = useEngineFixture('cli', ({ from }) => ({
  Dockerfile: `${from}COPY app.txt /app.txt\n`,
  'app.txt': 'v1\n',
}));

async function butler(args: string[], env: NodeJS.ProcessEnv = {}) {
  return runButler(args, {
    env: { ...process.env, BUTLER_STATE_DIR: fx.stateDir, ...env },
    cwd: process.cwd(),
  });
}

/** The lines of `text` that match the patterns, in order: each pattern must match a later line than the one before. */
function inOrder(text: string, patterns: RegExp[]): void {
  const lines = text.split('\n');
  let at = -1;
  for (const pattern of patterns) {
    const found = lines.findIndex((line, i) => i > at && pattern.test(line));
    expect(found, `${pattern} after line ${at} in:\n${text}`).toBeGreaterThan(at);
    at = found;
  }
}

test("butler build prints the original tool's lines, in order, with the real values: on a build, then on a reuse", async () => {
  const first = await butler(['build', fx.tree.dir, '--repo', fx.repo]);
  expect(first.code).toBe(0);
  const ref = `local-registry/${fx.repo}:[0-9a-f]{12}`;
  const { stdout: inspect } = await run('docker', [
    'image',
    'inspect',
    `local-registry/${fx.repo}:latest`,
    '--format',
    '{{.Id}} {{.Size}} {{.Created}}',
  ]);
  const [id = '', size = '0', created = ''] = inspect.trim().split(' ');
  const short = id.replace('sha256:', '').slice(0, 12);
  const mb = (digits: number) => (Number(size) / 1e6).toFixed(digits).replace('.', '\\.');
  inOrder(first.stdout, [
    /^🔍 Calculating build context hash\.\.\.$/,
    new RegExp(`^📦 Target image: ${ref}$`),
    /^🔍 Checking for existing images\.\.\.$/,
    /^🔨 No suitable existing image found, building new image\.\.\.$/,
    new RegExp(`^🔧 Building image: ${ref}$`),
    /^⚙️ Running docker build\.\.\.$/,
    /^✅ Docker build completed successfully!$/,
    new RegExp(`^📊 Image ID: ${short}, Size: ${mb(0)}MB, Created: ${created.slice(0, 19)}$`),
  ]);
  const second = await butler(['build', fx.tree.dir, '--repo', fx.repo]);
  expect(second.stdout).not.toContain('🔨');
  inOrder(second.stdout, [
    /^🔍 Calculating build context hash\.\.\.$/,
    new RegExp(`^📦 Target image: ${ref}$`),
    /^🔍 Checking for existing images\.\.\.$/,
    new RegExp(`^🔍 Found existing image: ${ref} \\(ID: ${id}, Created: ${created.slice(0, 19)}Z\\)$`),
    new RegExp(`^📊 Image info: ID=${short}, Size=${mb(1)}MB, Created=${created.slice(0, 16)}$`),
    new RegExp(`^♻️ Reusing existing image: ${ref}$`),
    /^⚡ Build skipped - using cached image!$/,
  ]);
});

test('--json prints one result; BUTLER_FORCE_REBUILD forces a build', async () => {
  const first = JSON.parse((await butler(['build', fx.tree.dir, '--repo', fx.repo, '--json'])).stdout);
  expect(first.outcome).toBe('built');
  const forced = JSON.parse(
    (await butler(['build', fx.tree.dir, '--repo', fx.repo, '--json'], { BUTLER_FORCE_REBUILD: 'true' }))
      .stdout,
  );
  expect(forced.outcome).toBe('forced');
  expect(forced.target.tag).toBe(first.target.tag);
});

test('an unreachable engine is one line that says how to start one, exit 1', async () => {
  const result = await butler(['build', fx.tree.dir, '--repo', fx.repo], {
    DOCKER_HOST: 'unix:///nonexistent/docker.sock',
  });
  expect(result.code).toBe(1);
  expect(result.stderr.trim()).toMatch(
    /^✖ (\[plugin:butler:dockerode\] )?cannot reach the Docker engine .* — start Docker/,
  );
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
});

test('a failing step is one line naming the step, and nothing is tagged', async () => {
  await fx.tree.write({ Dockerfile: `${fx.from}RUN exit 7\n` });
  const result = await butler(['build', fx.tree.dir, '--repo', fx.repo]);
  expect(result.code).toBe(1);
  expect(result.stderr).toMatch(
    /✖ (\[plugin:butler:dockerode\] )?build failed at \[\d+\/\d+\] RUN exit 7: exited with code 7/,
  );
  const { stdout } = await run('docker', ['image', 'ls', '-q', `local-registry/${fx.repo}`]);
  expect(stdout.trim()).toBe('');
});

test('a hit that finds both tags in place tags nothing; a hit whose latest points elsewhere moves it back', async () => {
  /** The tag events the engine saw while `fn` ran (names like local-registry/x:latest). */
  const tagsDuring = async (fn: () => Promise<unknown>) => {
    const since = (Date.now() / 1000).toFixed(3);
    await fn();
    const until = (Date.now() / 1000 + 0.5).toFixed(3);
    await new Promise((r) => setTimeout(r, 600));
    const { stdout } = await run('docker', [
      'events',
      '--since',
      since,
      '--until',
      until,
      '--filter',
      'type=image',
      '--filter',
      'event=tag',
      '--format',
      '{{.Actor.Attributes.name}}',
    ]);
    return stdout.split('\n').filter((name) => name.includes(`/${fx.repo}:`));
  };
  const build = async () =>
    JSON.parse((await butler(['build', fx.tree.dir, '--repo', fx.repo, '--json'])).stdout);
  const v1 = await build();
  await fx.tree.write({ 'app.txt': 'v2\n' });
  await build();
  await fx.tree.write({ 'app.txt': 'v1\n' });
  // Back to v1's inputs: a hit, and latest (on v2) must move back to v1's image.
  expect(await tagsDuring(async () => expect((await build()).outcome).toBe('reused'))).toContain(
    `local-registry/${fx.repo}:latest`,
  );
  const { stdout: latest } = await run('docker', [
    'image',
    'inspect',
    '-f',
    '{{.Id}}',
    `local-registry/${fx.repo}:latest`,
  ]);
  expect(latest.trim()).toBe(v1.image.id);
  // Again: both tags are in place, so the engine is asked to tag nothing.
  expect(await tagsDuring(async () => expect((await build()).outcome).toBe('reused'))).toEqual([]);
});

test('a cache hit loads neither OpenSSL, SQLite nor fs/promises: what it never needs, it never pays for', async () => {
  // Node's own record of the builtins it loaded, written as the process ends.
  const record = join(fx.stateDir, `loaded-${process.pid}.json`);
  const hook = `process.on('exit', () => process.getBuiltinModule('node:fs').writeFileSync(${JSON.stringify(record)}, JSON.stringify(process.moduleLoadList)))`;
  const build = async () => {
    const result = await butler(['build', fx.tree.dir, '--repo', fx.repo, '--json'], {
      NODE_OPTIONS: `--import=data:text/javascript,${encodeURIComponent(hook)}`,
    });
    expect(result.code, result.stderr).toBe(0);
    return {
      outcome: JSON.parse(result.stdout).outcome as string,
      loaded: JSON.parse(await readFile(record, 'utf8')) as string[],
    };
  };
  await build(); // the first build of these inputs, or a hit recorded through the store
  // Files changed within the last 2 s are read again (core's stat cache: their metadata cannot
  // prove them unchanged yet); past that, one more hit remembers their digests, and the next is warm.
  await sleep(2_100);
  await build();
  const hit = await build();
  expect(hit.outcome).toBe('reused');
  // The check can see what it looks for: the store opens SQLite, a digest of file content OpenSSL.
  expect(hit.loaded).toContain('NativeModule fs');
  expect(hit.loaded).not.toContain('NativeModule crypto');
  expect(hit.loaded).not.toContain('Internal Binding crypto');
  expect(hit.loaded).not.toContain('NativeModule sqlite');
  // The bundle's node:fs has no ES module facade, whose reading of every export loads these.
  expect(hit.loaded).not.toContain('NativeModule fs/promises');
  expect(hit.loaded).not.toContain('NativeModule internal/readline/interface');
  await fx.tree.write({ 'app.txt': `changed ${Date.now()}\n` });
  const miss = await build();
  expect(miss.outcome).toBe('built');
  expect(miss.loaded).toContain('NativeModule crypto');
  expect(miss.loaded).toContain('NativeModule sqlite');
});

test('butler list, which loads the deploy package, loads neither undici nor the diff and colour code', async () => {
  const record = join(fx.stateDir, `loaded-list-${process.pid}.json`);
  const hook = `process.on('exit', () => process.getBuiltinModule('node:fs').writeFileSync(${JSON.stringify(record)}, JSON.stringify(process.moduleLoadList)))`;
  const result = await butler(['list', '--json'], {
    NODE_OPTIONS: `--import=data:text/javascript,${encodeURIComponent(hook)}`,
  });
  expect(result.code, result.stderr).toBe(0);
  const loaded = JSON.parse(await readFile(record, 'utf8')) as string[];
  // The check can see what it looks for: `list` asks the engine over HTTP.
  expect(loaded).toContain('NativeModule http');
  // An ES import of node:http reads its WebSocket getter, which loads Node's fetch (undici); one of
  // node:util reads every export of it, the diff and colour code among them.
  expect(loaded).not.toContain('NativeModule internal/deps/undici/undici');
  expect(loaded).not.toContain('NativeModule internal/util/diff');
});
