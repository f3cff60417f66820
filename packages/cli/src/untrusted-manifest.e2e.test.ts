import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { StateStore } from '@devops-butler/state-store';
import { makeTree, useEngineFixture } from '@devops-butler/test-support';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { runButler } from './cli-runner.fixture.js';

const run = promisify(execFile);
const SECRET = 'AKIAFAKESECRET0123456';

// A credentials file outside the build context, as ~/.aws/credentials would be.
let home: Awaited<ReturnType<typeof makeTree>>;
beforeEach(async () => {
  home = await makeTree({
    '.aws/credentials': `[default]\naws_access_key_id = ${SECRET}\naws_secret_access_key = ${SECRET}/x\n`,
  });
});
afterEach(() => home.remove());

const fx = useEngineFixture('untrusted-manifest', ({ from }) => ({
  Dockerfile: `${from}COPY . /app\n`,
  'app.py': 'print(1)\n',
}));

async function butler(args: string[]) {
  return runButler(args, { env: { ...process.env, BUTLER_STATE_DIR: fx.stateDir }, cwd: process.cwd() });
}

async function labels(reference: string): Promise<string> {
  const { stdout } = await run('docker', [
    'image',
    'inspect',
    '--format',
    '{{json .Config.Labels}}',
    reference,
  ]);
  return stdout;
}

/** Every byte under the state folder (the SQLite file included) and every stored input manifest. */
function stateText(digest: string): string {
  const files = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? files(path) : [path];
    });
  const store = StateStore.open(fx.stateDir);
  try {
    return (
      files(fx.stateDir)
        .map((f) => readFileSync(f, 'latin1'))
        .join('\n') + JSON.stringify(store.manifest(digest))
    );
  } finally {
    store.close();
  }
}

test('a manifest that links out of the context is never read: the secret is in no label, output or state', async () => {
  await fx.tree.write({
    'requirements.txt': { symlink: join(home.dir, '.aws/credentials') },
    'package.json': { symlink: join(home.dir, '.aws/credentials') },
  });
  const human = await butler(['build', fx.tree.dir, '--repo', fx.repo]);
  expect(human.code).toBe(0);
  expect(human.stdout + human.stderr).toMatch(
    /requirements\.txt is a link to a place outside the build context; not read/,
  );
  const json = await butler(['build', fx.tree.dir, '--repo', fx.repo, '--json', '--force']);
  expect(json.code).toBe(0);
  const result = JSON.parse(json.stdout);
  for (const text of [human.stdout, human.stderr, json.stdout, json.stderr])
    expect(text).not.toContain(SECRET);
  expect(await labels(`local-registry/${fx.repo}:latest`)).not.toContain(SECRET);
  expect(stateText(result.target.digest)).not.toContain(SECRET);
});

test('a manifest that links inside the context is read as the file it points to', async () => {
  await fx.tree.write({
    'reqs/prod.txt': 'flask==3.0.3\n',
    'requirements.txt': { symlink: 'reqs/prod.txt' },
  });
  const json = await butler(['build', fx.tree.dir, '--repo', fx.repo, '--json']);
  expect(json.code).toBe(0);
  expect(await labels(`local-registry/${fx.repo}:latest`)).toContain('flask');
});

test('a manifest line that does not parse is reported by file and line, never by its content', async () => {
  await fx.tree.write({
    'package.json': `{\n  "name": "app",\n  "token": "${SECRET}"\n  "version": "1.0.0"\n}\n`,
    'requirements.txt': `flask==3.0.3\naws_secret_access_key = ${SECRET}\n`,
  });
  const human = await butler(['build', fx.tree.dir, '--repo', fx.repo]);
  expect(human.code).toBe(0);
  expect(human.stdout + human.stderr).toMatch(/cannot parse package\.json line 4/);
  const json = await butler(['build', fx.tree.dir, '--repo', fx.repo, '--json']);
  const warnings: string[] = JSON.parse(json.stdout).warnings ?? [];
  expect(warnings.join('\n')).toMatch(/package\.json line 4/);
  for (const text of [human.stdout, human.stderr, ...warnings]) expect(text).not.toContain(SECRET);
});
