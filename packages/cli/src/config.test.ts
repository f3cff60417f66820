import { captureIo, makeTree } from '@devops-butler/test-support';
import { expect, test } from 'vitest';
import { main } from './main.js';

async function run(files: Record<string, string>, args: (dir: string) => string[], cwdInTree = false) {
  const tree = await makeTree({ Dockerfile: 'FROM scratch\n', ...files });
  const c = captureIo({ cwd: cwdInTree ? tree.dir : process.cwd() });
  try {
    const code = await main(args(tree.dir), c.io);
    return { code, out: c.out(), err: c.err() };
  } finally {
    await tree.remove();
  }
}

test('every problem of a config is reported with its path, and the exit code is 2', async () => {
  const config = {
    repo: 'ok',
    concurrency: 0,
    images: [
      { name: 'api', context: 'services/api', dockerfile: 7 },
      { name: 'Web!', context: 'nowhere', extra: true },
      { name: 'api', context: '.' },
    ],
    retention: { keep: -1 },
  };
  const result = await run(
    { 'butler.config.json': JSON.stringify(config), 'services/api/Dockerfile': 'FROM scratch\n' },
    (dir) => ['hash', dir],
  );
  expect(result.code).toBe(2);
  for (const problem of [
    'concurrency: must be at least 1',
    'images[0].dockerfile: must be a string',
    'images[1].name: must be a repository name',
    'images[1].extra: unknown key',
    'images[1].context: not a folder',
    'images[2].name: "api" is used twice',
    'retention.keep: must be a whole number',
  ]) {
    expect(result.err).toContain(problem);
  }
  expect(result.err.trim().split('\n')).toHaveLength(1);
});

test('a config function that throws shows the line in the config file, not Butler’s', async () => {
  const result = await run(
    {
      'butler.config.mjs':
        "export default ({ env }) => {\n  if (!env.NEEDED) throw new Error('set NEEDED first');\n  return {};\n};\n",
    },
    (dir) => ['hash', dir],
  );
  expect(result.code).toBe(2);
  expect(result.err).toMatch(
    /butler\.config\.mjs threw: set NEEDED first \(at .*butler\.config\.mjs:2:\d+\)/,
  );
});

test('defineConfig accepts a function of { command, env } and a promise', async () => {
  const result = await run(
    { 'butler.config.mjs': 'export default async ({ command }) => ({ repo: `from-${command}` });\n' },
    (dir) => ['hash', dir, '--json'],
  );
  expect(JSON.parse(result.out).repo).toBe('from-hash');
});

test('image names select images of a multi-image config; an unknown name lists the known ones', async () => {
  const files = {
    'butler.config.json': JSON.stringify({
      images: [
        { name: 'api', context: 'api' },
        { name: 'web', context: 'web' },
      ],
    }),
    'api/Dockerfile': 'FROM scratch\nCOPY a /a\n',
    'api/a': 'a',
    'web/Dockerfile': 'FROM scratch\n',
  };
  const api = await run(files, () => ['hash', 'api', '--json'], true);
  expect(api.code).toBe(0);
  expect(JSON.parse(api.out)).toMatchObject({ repo: 'api', files: [{ path: 'a' }] });
  const unknown = await run(files, () => ['hash', 'mobile'], true);
  expect(unknown.code).toBe(2);
  expect(unknown.err).toMatch(/no image "mobile" in .*butler\.config\.json — its images: api, web/);
  const both = await run(files, () => ['hash'], true);
  expect(both.code).toBe(2);
  expect(both.err).toMatch(/butler hash takes one image: name one of api, web/);
});

test('the config is found from the build folder upwards: package.json#butler, .butlerrc, or --config', async () => {
  const nested = await run(
    {
      'package.json': JSON.stringify({ name: 'mono', butler: { repo: 'from-package-json' } }),
      'svc/Dockerfile': 'FROM scratch\n',
    },
    (dir) => ['hash', `${dir}/svc`, '--json'],
  );
  expect(JSON.parse(nested.out).repo).toBe('from-package-json');
  const rc = await run({ '.butlerrc.json': JSON.stringify({ repo: 'from-rc' }) }, (dir) => [
    'hash',
    dir,
    '--json',
  ]);
  expect(JSON.parse(rc.out).repo).toBe('from-rc');
  const explicit = await run({ 'other/my.config.json': JSON.stringify({ repo: 'explicit' }) }, (dir) => [
    'hash',
    dir,
    '--json',
    '--config',
    `${dir}/other/my.config.json`,
  ]);
  expect(JSON.parse(explicit.out).repo).toBe('explicit');
  const missing = await run({}, (dir) => ['hash', dir, '--config', `${dir}/nope.json`]);
  expect(missing.code).toBe(2);
  expect(missing.err).toMatch(/✖ cannot load .*nope\.json/);
});
