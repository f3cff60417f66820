import { expect, test } from 'vitest';
import { compareCodeUnits } from './text-order.js';

test('orders by code unit, the same under every locale: capitals first, then - . _ by their codes', () => {
  expect(['b', 'a_b', 'B', 'a-b', 'a.b', 'a'].sort(compareCodeUnits)).toEqual([
    'B',
    'a',
    'a-b',
    'a.b',
    'a_b',
    'b',
  ]);
  expect(compareCodeUnits('2026-12-05T09:00:00Z', '2026-12-05T09:00:00Z')).toBe(0);
});
