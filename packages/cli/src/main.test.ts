import { captureIo, makeTree } from '@devops-butler/test-support';
import { expect, test } from 'vitest';
import { main } from './main.js';

const capture = () => captureIo();

test('--help lists the commands and exits 0', async () => {
  const c = capture();
  expect(await main(['--help'], c.io)).toBe(0);
  expect(c.out()).toMatch(/build \[dir\]/);
  const b = capture();
  expect(await main(['build', '--help'], b.io)).toBe(0);
  expect(b.out()).toMatch(/--force/);
});

test('an unknown command or flag is a one-line usage error with exit code 2', async () => {
  const c = capture();
  expect(await main(['bulid'], c.io)).toBe(2);
  expect(c.err().trim().split('\n')).toHaveLength(1);
  const f = capture();
  expect(await main(['build', '--nope'], f.io)).toBe(2);
  expect(f.err()).toMatch(/--nope.*butler build --help/);
});

test('hash --json prints repo, tag, digest, files and whether the whole context was used', async () => {
  const tree = await makeTree({ Dockerfile: 'FROM scratch\nCOPY a.txt /\n', 'a.txt': 'a', 'b.txt': 'b' });
  try {
    const c = capture();
    expect(await main(['hash', tree.dir, '--json', '--repo', 'my-app'], c.io)).toBe(0);
    const result = JSON.parse(c.out());
    expect(result).toMatchObject({ repo: 'my-app', wholeContext: false });
    expect(result.tag).toBe(result.digest.slice(0, 12));
    expect(result.files.map((f: { path: string }) => f.path)).toEqual(['a.txt']);
  } finally {
    await tree.remove();
  }
});

test('bad input ends in one clear line (exit 1; a bad name is a usage error, exit 2), never a stack trace', async () => {
  const tree = await makeTree({ 'x.txt': '' });
  try {
    const missing = capture();
    expect(await main(['hash', tree.dir], missing.io)).toBe(1);
    expect(missing.err()).toMatch(/^✖ no Dockerfile at .* — create one, or point to it with --file\n$/);
    await tree.write({ Dockerfile: 'FROM scratch\n' });
    const badName = capture();
    expect(await main(['hash', tree.dir, '--repo', 'Bad Name!'], badName.io)).toBe(2);
    expect(badName.err()).toMatch(/^✖ invalid repository name "Bad Name!" — /);
    expect(badName.err()).not.toMatch(/\n\s+at /);
  } finally {
    await tree.remove();
  }
});

test('a config file with unknown keys and wrong types reports every problem at once', async () => {
  const tree = await makeTree({
    Dockerfile: 'FROM scratch\n',
    'butler.config.json': JSON.stringify({ repo: 5, colour: 'blue', backend: 'podman' }),
  });
  try {
    const c = capture();
    expect(await main(['hash', tree.dir], c.io)).toBe(2);
    expect(c.err()).toMatch(/colour: unknown key/);
    expect(c.err()).toMatch(/repo: must be a string/);
    expect(c.err()).toMatch(/backend: must be/);
  } finally {
    await tree.remove();
  }
});

test('a butler.config.ts is loaded without a build step', async () => {
  const tree = await makeTree({
    Dockerfile: 'FROM scratch\n',
    'butler.config.ts': "const repo: string = 'from-ts-config';\nexport default { repo };\n",
  });
  try {
    const c = capture();
    expect(await main(['hash', tree.dir, '--json'], c.io)).toBe(0);
    expect(JSON.parse(c.out()).repo).toBe('from-ts-config');
  } finally {
    await tree.remove();
  }
});
