import { expect, test } from 'vitest';
import type { DependencySummary } from '../manifests/dependencies.js';
import { dependencyLabel } from './labels.js';

const summary = (direct: number): DependencySummary => ({
  direct: Object.fromEntries(Array.from({ length: direct }, (_, i) => [`package-number-${i}`, `1.${i}.0`])),
  counts: { direct, transitive: 40, unpinned: 0 },
});

test('the dependency label names the direct dependencies while it stays small', () => {
  expect(JSON.parse(dependencyLabel({ npm: summary(2) }))).toEqual({ npm: summary(2) });
});

test('a dependency label that would pass 8 KiB keeps only the counts', () => {
  const label = dependencyLabel({ npm: summary(400), pip: summary(3) });
  expect(label.length).toBeLessThanOrEqual(8 * 1024);
  expect(JSON.parse(label)).toEqual({
    npm: { counts: { direct: 400, transitive: 40, unpinned: 0 } },
    pip: { counts: { direct: 3, transitive: 40, unpinned: 0 } },
  });
});
