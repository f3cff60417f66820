import { resolveTree } from '@devops-butler/contract-tests';
import { expect, test } from 'vitest';
import { resolveNpmDependencies } from './resolve-npm.js';

const resolve = (files: Record<string, string>) => resolveTree(resolveNpmDependencies, files);

test('a root lockfile resolves every workspace; members are not dependencies of each other', async () => {
  const { dependencies } = await resolve({
    'package.json': JSON.stringify({ name: 'root', workspaces: ['packages/*'] }),
    'packages/api/package.json': JSON.stringify({
      name: 'api',
      dependencies: { express: '^4.18.2', web: 'workspace:*' },
    }),
    'packages/web/package.json': JSON.stringify({ name: 'web', dependencies: { react: '^18.2.0' } }),
    'package-lock.json': JSON.stringify({
      lockfileVersion: 3,
      packages: {
        '': { name: 'root' },
        'packages/api': { name: 'api', version: '1.0.0' },
        'node_modules/api': { resolved: 'packages/api', link: true },
        'node_modules/web': { resolved: 'packages/web', link: true },
        'node_modules/express': { version: '4.18.2' },
        'node_modules/react': { version: '18.2.0' },
        'node_modules/loose-envify': { version: '1.4.0' },
      },
    }),
  });
  expect(dependencies).toEqual([
    { name: 'express', version: '4.18.2', direct: true },
    { name: 'react', version: '18.2.0', direct: true },
    { name: 'loose-envify', version: '1.4.0', direct: false },
  ]);
});

test('a declared dependency missing from the lockfile is unpinned', async () => {
  const { dependencies } = await resolve({
    'package.json': JSON.stringify({ dependencies: { express: '^4.18.2', chalk: '^5.0.0' } }),
    'package-lock.json': JSON.stringify({
      lockfileVersion: 3,
      packages: { 'node_modules/express': { version: '4.18.2' } },
    }),
  });
  expect(dependencies).toContainEqual({
    name: 'chalk',
    version: '^5.0.0',
    direct: true,
    unpinned: 'not in package-lock.json',
  });
});

test('bun.lockb is binary: noted, with package.json ranges listed as locked', async () => {
  const { dependencies, notes } = await resolve({
    'package.json': JSON.stringify({ dependencies: { express: '^4.18.2' } }),
    'bun.lockb': '\u0000binary',
  });
  expect(dependencies).toEqual([{ name: 'express', version: '^4.18.2', direct: true }]);
  expect(notes).toEqual([expect.stringContaining('bun.lockb is binary')]);
});

test('npm-shrinkwrap.json wins over package-lock.json in the same folder', async () => {
  const lock = (version: string) =>
    JSON.stringify({ lockfileVersion: 3, packages: { 'node_modules/ms': { version } } });
  const { dependencies } = await resolve({
    'package.json': JSON.stringify({ dependencies: { ms: '^2.0.0' } }),
    'package-lock.json': lock('2.0.0'),
    'npm-shrinkwrap.json': lock('2.1.3'),
  });
  expect(dependencies).toEqual([{ name: 'ms', version: '2.1.3', direct: true }]);
});
