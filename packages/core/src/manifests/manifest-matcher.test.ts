import { expect, test } from 'vitest';
import { matchGlob } from '../patterns/path-glob.js';
import { createManifestMatcher } from './manifest-matcher.js';

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
