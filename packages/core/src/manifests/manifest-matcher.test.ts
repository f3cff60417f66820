import { expect, test } from 'vitest';
import { matchGlob } from '../patterns/path-glob.js';
import { createManifestFinder, createManifestMatcher } from './manifest-matcher.js';

const patterns = ['package.json', 'requirements*.txt', 'requirements/*.txt', 'a/b/go.mod', 'Cargo.[tl]o*'];

/** The rule as written in the spec: the pattern against as many trailing segments as it has. */
const byTheRule = (path: string) =>
  patterns.some((pattern) => {
    const depth = pattern.split('/').length;
    const segments = path.split('/');
    return segments.length >= depth && matchGlob(pattern, segments.slice(-depth).join('/'));
  });

test('manifests are found by name in any folder, and by folder where the pattern has one', () => {
  const matches = createManifestMatcher(patterns);
  const paths = [
    'package.json',
    'web/package.json',
    'web/package.json.bak',
    'xpackage.json',
    'requirements-dev.txt',
    'svc/requirements.txt',
    'requirements/base.txt',
    'svc/requirements/base.txt',
    'requirements/sub/base.txt',
    'a/b/go.mod',
    'x/a/b/go.mod',
    'b/go.mod',
    'go.mod',
    'Cargo.toml',
    'crates/x/Cargo.lock',
    'Cargo.x',
    'src/main.rs',
    'requirements',
  ];
  for (const path of paths) expect(matches(path), path).toBe(byTheRule(path));
  expect(paths.filter(matches)).toEqual([
    'package.json',
    'web/package.json',
    'requirements-dev.txt',
    'svc/requirements.txt',
    'requirements/base.txt',
    'svc/requirements/base.txt',
    'a/b/go.mod',
    'x/a/b/go.mod',
    'Cargo.toml',
    'crates/x/Cargo.lock',
  ]);
});

test('the finder answers as filtering every path with the matcher, in the list order, for every plugin', () => {
  const files = [
    'Cargo.lock',
    'Cargo.toml',
    'a/b/go.mod',
    'a/package.json',
    'composer.json',
    'd/requirements-dev.txt',
    'd/requirements.txt',
    'go.mod',
    'nested/deep/package.json',
    'package.json',
    'package.json.bak',
    'requirements/base.txt',
    'x/Cargo.toml',
    'xpackage.json',
  ];
  const patternSets = [
    ['package.json', 'package-lock.json'],
    ['requirements*.txt', 'Pipfile.lock'],
    ['Cargo.[tl]o*'],
    ['go.mod', 'go.sum'],
    patterns,
    ['nothing.here'],
  ];
  for (const set of patternSets) {
    expect(createManifestFinder(set)(files), set.join(',')).toEqual(files.filter(createManifestMatcher(set)));
  }
  expect(createManifestFinder(['package.json'])(files)).toEqual([
    'a/package.json',
    'nested/deep/package.json',
    'package.json',
  ]);
});

test('a list appended to in place (by a plugin) is searched whole again', () => {
  const find = createManifestFinder(['package.json']);
  const files = ['a/package.json', 'src/index.js'];
  expect(find(files)).toEqual(['a/package.json']);
  files.push('z/package.json');
  expect(find(files)).toEqual(['a/package.json', 'z/package.json']);
});
