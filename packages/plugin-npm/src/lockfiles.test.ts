import { expect, test } from 'vitest';
import { parseBunLock } from './bun-lock.js';
import { parsePackageLock } from './package-lock.js';
import { parsePnpmLock } from './pnpm-lock.js';
import { parseYarnLock } from './yarn-lock.js';

const declared = new Map([
  ['express', '^4.18.2'],
  ['@types/node', '^20.0.0'],
]);

test('package-lock v1 nests transitive dependencies under dependencies', () => {
  const v1 = {
    lockfileVersion: 1,
    dependencies: { express: { version: '4.18.2', dependencies: { ms: { version: '2.1.3' } } } },
  };
  expect(parsePackageLock(JSON.stringify(v1), new Set(declared.keys()))).toEqual([
    { name: 'express', version: '4.18.2', direct: true },
    { name: 'ms', version: '2.1.3', direct: false },
  ]);
});

test('pnpm-lock v9 takes direct versions from importers and strips peer suffixes', () => {
  const text = `lockfileVersion: '9.0'
importers:
  .:
    dependencies:
      express:
        specifier: ^4.18.2
        version: 4.18.2
      '@types/node':
        specifier: ^20.0.0
        version: 20.11.5(typescript@5.9.3)
      shared:
        specifier: workspace:*
        version: link:../shared
packages:
  express@4.18.2:
    resolution: {integrity: sha512-x}
  '@types/node@20.11.5':
    resolution: {integrity: sha512-y}
  ms@2.1.3:
    resolution: {integrity: sha512-z}
`;
  expect(parsePnpmLock(text)).toEqual([
    { name: 'express', version: '4.18.2', direct: true },
    { name: '@types/node', version: '20.11.5', direct: true },
    { name: 'ms', version: '2.1.3', direct: false },
  ]);
});

test('pnpm-lock v5 separates name and version with a slash', () => {
  const text = `lockfileVersion: 5.4
specifiers:
  express: ^4.18.2
dependencies:
  express: 4.18.2
packages:
  /express/4.18.2:
    resolution: {integrity: sha512-x}
  /ms/2.1.3_debug@2.6.9:
    resolution: {integrity: sha512-z}
`;
  expect(parsePnpmLock(text)).toEqual([
    { name: 'express', version: '4.18.2', direct: true },
    { name: 'ms', version: '2.1.3', direct: false },
  ]);
});

test('yarn classic: a key lists every range it satisfies; the declared range marks it direct', () => {
  const text = `# yarn lockfile v1


express@^4.17.0, express@^4.18.2:
  version "4.18.2"
  resolved "https://registry.example/express-4.18.2.tgz"

"@types/node@^20.0.0":
  version "20.11.5"

ms@2.1.3:
  version "2.1.3"
`;
  expect(parseYarnLock(text, declared)).toEqual([
    { name: 'express', version: '4.18.2', direct: true },
    { name: '@types/node', version: '20.11.5', direct: true },
    { name: 'ms', version: '2.1.3', direct: false },
  ]);
});

test('yarn berry: npm: protocol ranges, workspace entries left out', () => {
  const text = `__metadata:
  version: 8

"app@workspace:.":
  version: 0.0.0-use.local
  resolution: "app@workspace:."

"express@npm:^4.18.2":
  version: 4.18.2
  resolution: "express@npm:4.18.2"
`;
  expect(parseYarnLock(text, declared)).toEqual([{ name: 'express', version: '4.18.2', direct: true }]);
});

test('bun.lock: trailing commas allowed, top-level install paths are direct', () => {
  const text = `{
  "lockfileVersion": 1,
  "workspaces": { "": { "name": "app", "dependencies": { "express": "^4.18.2", }, }, },
  "packages": {
    "express": ["express@4.18.2", "", {}, "sha512-x"],
    "express/ms": ["ms@2.1.3", "", {}, "sha512-y"],
    "shared": ["shared@workspace:packages/shared"],
  },
}`;
  expect(parseBunLock(text, new Set(['express']))).toEqual([
    { name: 'express', version: '4.18.2', direct: true },
    { name: 'ms', version: '2.1.3', direct: false },
  ]);
  expect(() => parseBunLock('{ "packages": { "a": [ }', new Set())).toThrow(/position/);
});

test('pnpm-lock v9: an _ belongs to the version, and an npm alias is direct, shown under its alias', () => {
  const text = `lockfileVersion: '9.0'
importers:
  .:
    dependencies:
      slash3:
        specifier: npm:slash@^3.0.0
        version: slash@3.0.0
    devDependencies:
      '@vitejs/test-dep':
        specifier: file:packages/vite/src/node/__tests__/fixtures/x
        version: file:packages/vite/src/node/__tests__/fixtures/x
packages:
  slash@3.0.0:
    resolution: {integrity: sha512-a}
  '@vitejs/test-dep@file:packages/vite/src/node/__tests__/fixtures/x':
    resolution: {directory: packages/vite/src/node/__tests__/fixtures/x, type: directory}
`;
  expect(parsePnpmLock(text)).toEqual([
    { name: 'slash3 → slash', version: '3.0.0', direct: true },
    { name: '@vitejs/test-dep', version: 'file:packages/vite/src/node/__tests__/fixtures/x', direct: false },
  ]);
});
