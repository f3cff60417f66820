import { existsSync, readFileSync } from 'node:fs';
import { captureIo, makeTree } from '@devops-butler/test-support';
import { afterEach, expect, test } from 'vitest';
import { main } from './main.js';

const trees: { remove(): Promise<void> }[] = [];
afterEach(async () => {
  for (const tree of trees.splice(0)) await tree.remove();
});

/** A parent folder whose config, if run, leaves a marker file and names the repo "from-parent". */
async function parentWithConfig(project: Record<string, string>) {
  const marker = 'ran-parent-config';
  const tree = await makeTree({
    'butler.config.mjs': `import { writeFileSync } from 'node:fs';\nwriteFileSync(new URL('./${marker}', import.meta.url), 'x');\nexport default { repo: 'from-parent' };\n`,
    ...Object.fromEntries(Object.entries(project).map(([path, content]) => [`proj/${path}`, content])),
  });
  trees.push(tree);
  return { dir: tree.dir, project: `${tree.dir}/proj`, ran: () => existsSync(`${tree.dir}/${marker}`) };
}

async function hash(args: string[], env: NodeJS.ProcessEnv = {}) {
  const c = captureIo({ env: { ...process.env, BUTLER_CONFIG: '', ...env } });
  const code = await main(['hash', ...args, '--json'], c.io);
  return { code, out: c.out(), err: c.err(), repo: code === 0 ? JSON.parse(c.out()).repo : undefined };
}

test('a config in a folder above a project with a package.json is never run', async () => {
  const parent = await parentWithConfig({ 'package.json': '{"name":"proj"}', Dockerfile: 'FROM scratch\n' });
  // Each command loads its config first; none gets as far as an engine (no image is made here).
  const args: Record<string, string[]> = {
    hash: ['hash'],
    build: ['build', '--file', 'no-such.Dockerfile'],
    why: ['why'],
    gc: ['gc', '--dry-run'],
    details: ['details', 'x:1'],
  };
  for (const [command, argv] of Object.entries(args)) {
    const c = captureIo({ cwd: parent.project, env: { ...process.env, DOCKER_HOST: 'tcp://127.0.0.1:1' } });
    await main(argv, c.io);
    expect(parent.ran(), `butler ${command}`).toBe(false);
  }
  const result = await hash([parent.project]);
  expect(result.repo).toBe('proj');
  expect(parent.ran()).toBe(false);
});

test('a config in a folder above a project without package.json or git is never run', async () => {
  const parent = await parentWithConfig({ Dockerfile: 'FROM scratch\n', 'go.mod': 'module example.com/x\n' });
  expect((await hash([parent.project])).repo).toBe('proj');
  expect(parent.ran()).toBe(false);
});

test('the config at the git top level is found from a service folder below it', async () => {
  const tree = await makeTree({
    '.git/HEAD': 'ref: refs/heads/main\n',
    'butler.config.json': JSON.stringify({ repo: 'from-top' }),
    'services/api/Dockerfile': 'FROM scratch\n',
  });
  trees.push(tree);
  expect((await hash([`${tree.dir}/services/api`])).repo).toBe('from-top');
  // A package.json of its own makes the service its own project: the search stops there.
  await tree.write({ 'services/api/package.json': '{"name":"api"}' });
  expect((await hash([`${tree.dir}/services/api`])).repo).toBe('api');
});

test('--no-config runs no config file, BUTLER_CONFIG names one, and both flags together are refused', async () => {
  const marker = 'ran-config';
  const tree = await makeTree({
    Dockerfile: 'FROM scratch\n',
    'butler.config.mjs': `import { writeFileSync } from 'node:fs';\nwriteFileSync(new URL('./${marker}', import.meta.url), 'x');\nexport default { repo: 'from-config' };\n`,
    'elsewhere/team.json': JSON.stringify({ repo: 'from-env' }),
  });
  trees.push(tree);
  const skipped = await hash([tree.dir, '--no-config']);
  expect(skipped.code).toBe(0);
  expect(skipped.repo).not.toBe('from-config');
  expect(existsSync(`${tree.dir}/${marker}`)).toBe(false);
  expect((await hash([tree.dir], { BUTLER_CONFIG: `${tree.dir}/elsewhere/team.json` })).repo).toBe(
    'from-env',
  );
  const both = await hash([tree.dir, '--no-config', '--config', `${tree.dir}/elsewhere/team.json`]);
  expect(both.code).toBe(2);
  expect(both.out + both.err).toMatch(/--config and --no-config contradict each other/);
});

test('loading a butler.config.ts leaves the user’s own butler.config.mjs as it was and writes nothing', async () => {
  const own = "export default { repo: 'from-mjs' };\n";
  const tree = await makeTree({
    Dockerfile: 'FROM scratch\n',
    'butler.config.ts':
      "import { suffix } from './naming.js';\nconst repo: string = `from-ts-${suffix}`;\nexport default { repo };\n",
    'naming.ts': "export const suffix: string = 'config';\n",
    'butler.config.mjs': own,
  });
  trees.push(tree);
  const before = new Set((await import('node:fs')).readdirSync(tree.dir));
  expect((await hash([tree.dir])).repo).toBe('from-ts-config');
  expect(readFileSync(`${tree.dir}/butler.config.mjs`, 'utf8')).toBe(own);
  expect(new Set((await import('node:fs')).readdirSync(tree.dir))).toEqual(before);
});

test('a TypeScript config that changes is read again in the same process', async () => {
  const tree = await makeTree({
    Dockerfile: 'FROM scratch\n',
    'butler.config.ts': "export default { repo: 'one' };\n",
  });
  trees.push(tree);
  expect((await hash([tree.dir])).repo).toBe('one');
  await tree.write({ 'butler.config.ts': "export default { repo: 'two' };\n" });
  expect((await hash([tree.dir])).repo).toBe('two');
});

test('a broken package.json is one line naming its line when it holds the butler config, and only a warning otherwise', async () => {
  const tree = await makeTree({
    Dockerfile: 'FROM scratch\nCOPY . /app/\n',
    'package.json': '{\n  "name": "x",\n  "butler": { "repo": "y" }\n  "version": "1"\n}\n',
  });
  trees.push(tree);
  const meant = await hash([tree.dir]);
  expect(meant.code).toBe(2);
  const line = (meant.out + meant.err).trim();
  expect(line.split('\n')).toHaveLength(1);
  expect(line).toMatch(/package\.json line 4: Expected ',' or '}' after property value/);
  await tree.write({ 'package.json': '{\n  "name": "x",\n  "version": 1.0.0\n}\n' });
  const plain = await hash([tree.dir]);
  expect(plain.code).toBe(0);
  expect(JSON.parse(plain.out).warnings.join('\n')).toContain('npm: cannot parse package.json line 3');
});
