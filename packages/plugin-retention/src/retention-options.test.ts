import { expect, test } from 'vitest';
import { parseDuration, parseSize, resolveKeep, validateRetention } from './retention-options.js';

test('keep precedence: flag, then environment, then per-repository config (exact, then glob), then global, then 3', () => {
  const config = { keep: 4, repos: { api: { keep: 6 }, 'web-*': { keep: 7 } } };
  expect(resolveKeep({})('x')).toBe(3);
  expect(resolveKeep(config)('x')).toBe(4);
  expect(resolveKeep(config)('api')).toBe(6);
  expect(resolveKeep(config)('web-front')).toBe(7);
  expect(resolveKeep(config, { env: { BUTLER_IMAGE_KEEP_COUNT: '2' } })('api')).toBe(2);
  expect(resolveKeep(config, { keep: 1, env: { BUTLER_IMAGE_KEEP_COUNT: '2' } })('api')).toBe(1);
});

test('a keep count in the environment that is not a number is one clear error', () => {
  expect(() => resolveKeep({}, { env: { BUTLER_IMAGE_KEEP_COUNT: 'many' } })).toThrow(/not a whole number/);
});

test('sizes and durations read the way people write them', () => {
  expect(parseSize('20GB')).toBe(20e9);
  expect(parseSize('1.5 GiB')).toBe(Math.round(1.5 * 1024 ** 3));
  expect(parseDuration('1h')).toBe(3600_000);
  expect(parseDuration('30m')).toBe(1800_000);
  expect(() => parseSize('lots')).toThrow(/not a size/);
});

test('every problem in a retention config is reported, each with its path', () => {
  expect(validateRetention({ keep: -1, repos: { api: { keep: 'x' } }, maxSize: 'big', colour: 1 })).toEqual([
    'retention.colour: unknown key',
    'retention.keep: must be a whole number ≥ 0',
    'retention.repos.api.keep: must be a whole number ≥ 0',
    'retention.maxSize: "big" is not a size like "20GB" or "500MiB"',
  ]);
});
