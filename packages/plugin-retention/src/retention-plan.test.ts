import { expect, test } from 'vitest';
import { planRetention, type RetentionCandidate } from './retention-plan.js';

const day = (d: number) => `2026-01-${String(d).padStart(2, '0')}T00:00:00.000Z`;
const image = (id: string, d: number, extra: Partial<RetentionCandidate> = {}): RetentionCandidate => ({
  id,
  repo: 'app',
  created: day(d),
  lastUsed: day(d),
  size: 100,
  containers: [],
  latest: false,
  tags: [`local-registry/app:${id.padEnd(12, '0')}`],
  ...extra,
});
const removed = (plan: ReturnType<typeof planRetention>) => plan.remove.map((r) => r.image.id).sort();

test('keeps the N newest images of a repository and removes the rest', () => {
  const images = [1, 2, 3, 4, 5, 6].map((d) => image(`id${d}`, d));
  const plan = planRetention(images, { keep: () => 3 });
  expect(removed(plan)).toEqual(['id1', 'id2', 'id3']);
  expect(plan.keep.map((k) => k.image.id).sort()).toEqual(['id4', 'id5', 'id6']);
});

test('never removes an image a container uses or the one latest points to, however old', () => {
  const images = [
    image('used', 1, { containers: ['web'] }),
    image('latest', 2, { latest: true }),
    image('new', 9),
  ];
  const plan = planRetention(images, { keep: () => 0 });
  expect(removed(plan)).toEqual(['new']);
  expect(plan.keep.map((k) => [k.image.id, k.reason]).sort()).toEqual([
    ['latest', 'latest'],
    ['used', 'in use'],
  ]);
});

test('a deploy keeps the image it replaced, though no container uses it any more', () => {
  const images = [image('replaced', 1), image('older', 2), image('running', 3, { containers: ['app'] })];
  const plan = planRetention(images, { keep: () => 0, protectedIds: new Set(['replaced']) });
  expect(removed(plan)).toEqual(['older']);
  expect(plan.keep.map((k) => [k.image.id, k.reason]).sort()).toEqual([
    ['replaced', 'deployed'],
    ['running', 'in use'],
  ]);
});

test("the images of a deployment's last versions are kept for rollback, whatever the count says", () => {
  const images = [image('v1', 1), image('v2', 2), image('v3', 3, { containers: ['app'] }), image('other', 4)];
  const plan = planRetention(images, { keep: () => 0, rollbackIds: new Set(['v2', 'v3']) });
  expect(removed(plan).sort()).toEqual(['other', 'v1']);
  expect(plan.keep.map((k) => [k.image.id, k.reason]).sort()).toEqual([
    ['v2', 'kept for rollback'],
    ['v3', 'in use'],
  ]);
});

test('a tag matching a keep pattern protects its image', () => {
  const images = [image('old', 1, { tags: ['local-registry/app:release-1'] }), image('new', 2)];
  const plan = planRetention(images, { keep: () => 0, keepPatterns: (tag) => tag.includes(':release-') });
  expect(removed(plan)).toEqual(['new']);
});

test('counts per repository, ties broken by image ID', () => {
  const images = [image('a1', 1), image('a2', 2), image('b1', 1, { repo: 'b' }), image('a3', 2)];
  expect(removed(planRetention(images, { keep: (repo) => (repo === 'app' ? 3 : 1) }))).toEqual([]);
  expect(removed(planRetention(images, { keep: () => 1 }))).toEqual(['a1', 'a2']);
});

test('over the disk budget, the least recently used go first until it fits', () => {
  const now = new Date('2026-02-01T00:00:00Z');
  const images = [
    image('a', 1, { lastUsed: day(20), size: 300 }),
    image('b', 2, { lastUsed: day(10), size: 300 }),
    image('c', 3, { lastUsed: day(15), size: 300 }),
  ];
  const plan = planRetention(images, { keep: () => 10, maxSizeBytes: 500, now });
  expect(plan.remove.map((r) => [r.image.id, r.reason])).toEqual([
    ['b', 'over size'],
    ['c', 'over size'],
  ]);
});

test('the disk rule spares images younger than minAge, and never touches protected ones', () => {
  const now = new Date(day(3));
  const images = [
    image('used', 1, { containers: ['x'], size: 1000 }),
    image('young', 2, { created: new Date(now.getTime() - 60_000).toISOString(), size: 1000 }),
  ];
  const plan = planRetention(images, { keep: () => 10, maxSizeBytes: 1, minAgeMs: 3600_000, now });
  expect(plan.remove).toEqual([]);
  expect(plan.keep.map((k) => [k.image.id, k.reason]).sort()).toEqual([
    ['used', 'in use'],
    ['young', 'within grace'],
  ]);
});

test('force-rebuild removes every unprotected image and says so as its reason, not "over count"', () => {
  const plan = planRetention(
    [image('a', 3, { latest: true }), image('b', 2), image('c', 1, { containers: ['web'] })],
    { keep: () => 3, ignoreLatest: true, forceRebuild: true },
  );
  expect(plan.remove.map((r) => [r.image.id, r.reason]).sort()).toEqual([
    ['a', 'forced by force-rebuild'],
    ['b', 'forced by force-rebuild'],
  ]);
  expect(plan.keep).toMatchObject([{ image: { id: 'c' }, reason: 'in use' }]);
});
