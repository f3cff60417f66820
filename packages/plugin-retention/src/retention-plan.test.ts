import { expect, test } from 'vitest';
import { planRetention, type RetentionCandidate } from './retention-plan.js';

const image = (id: string, day: number, extra: Partial<RetentionCandidate> = {}): RetentionCandidate => ({
  id,
  repo: 'app',
  created: `2026-01-${String(day).padStart(2, '0')}T00:00:00.000Z`,
  inUse: false,
  latest: false,
  ...extra,
});

test('keeps the N newest images of a repository and removes the rest', () => {
  const images = [1, 2, 3, 4, 5, 6].map((day) => image(`id${day}`, day));
  const plan = planRetention(images, () => 3);
  expect(plan.remove.map((i) => i.id).sort()).toEqual(['id1', 'id2', 'id3']);
  expect(plan.keep.map((k) => k.image.id).sort()).toEqual(['id4', 'id5', 'id6']);
});

test('never removes an image a container uses or the one latest points to, however old', () => {
  const images = [
    image('old-used', 1, { inUse: true }),
    image('old-latest', 2, { latest: true }),
    image('new', 9),
  ];
  const plan = planRetention(images, () => 0);
  expect(plan.remove.map((i) => i.id)).toEqual(['new']);
  expect(plan.keep.map((k) => [k.image.id, k.reason])).toEqual([
    ['old-latest', 'latest'],
    ['old-used', 'in use'],
  ]);
});

test('counts per repository', () => {
  const images = [image('a1', 1), image('a2', 2), image('b1', 1, { repo: 'b' })];
  expect(planRetention(images, () => 1).remove.map((i) => i.id)).toEqual(['a1']);
});
