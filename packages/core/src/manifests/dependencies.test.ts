import { expect, test } from 'vitest';
import { dependencyFingerprint, normalizeDependencies, summarizeDependencies } from './dependencies.js';

test('duplicates merge: direct anywhere means direct, an unpinned reason survives', () => {
  expect(
    normalizeDependencies([
      { name: 'b', version: '1.0.0', direct: false },
      { name: 'a', version: '2.0.0', direct: false, unpinned: 'no lockfile' },
      { name: 'b', version: '1.0.0', direct: true },
      { name: 'a', version: '2.0.0', direct: true },
    ]),
  ).toEqual([
    { name: 'a', version: '2.0.0', direct: true, unpinned: 'no lockfile' },
    { name: 'b', version: '1.0.0', direct: true },
  ]);
});

test('the fingerprint ignores order, not versions or directness', () => {
  const a = { name: 'a', version: '1.0.0', direct: true };
  const b = { name: 'b', version: '2.0.0', direct: false };
  expect(dependencyFingerprint([b, a])).toBe(dependencyFingerprint([a, b]));
  expect(dependencyFingerprint([a, { ...b, version: '2.0.1' }])).not.toBe(dependencyFingerprint([a, b]));
  expect(dependencyFingerprint([a, { ...b, direct: true }])).not.toBe(dependencyFingerprint([a, b]));
});

test('the summary counts direct, transitive and unpinned dependencies', () => {
  expect(
    summarizeDependencies([
      { name: 'a', version: '1.0.0', direct: true },
      { name: 'b', version: '^2', direct: true, unpinned: 'no lockfile' },
      { name: 'c', version: '3.0.0', direct: false },
    ]),
  ).toEqual({ direct: { a: '1.0.0', b: '^2' }, counts: { direct: 2, transitive: 1, unpinned: 1 } });
});
