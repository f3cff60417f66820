import { expect, test } from 'vitest';
import { ButlerError } from '../kernel/errors.js';
import { isCacheProbeRace } from './cache-probe-race.js';

const id = `sha256:${'ab'.repeat(32)}`;

test('the classic builder’s cache check naming a vanished image by ID is the race, from either backend', () => {
  // The Engine API backend's words, then the docker CLI backend's (its last stderr line).
  expect(
    isCacheProbeRace(
      new ButlerError('BUILD_FAILED', `build failed at Step 2/5 : COPY . /app: unable to find image "${id}"`),
    ),
  ).toBe(true);
  expect(
    isCacheProbeRace(
      new ButlerError('BUILD_FAILED', `build failed at Step 2/5 : LABEL a=b: unable to find image "${id}"`),
    ),
  ).toBe(true);
});

test('any other failure is the build’s own', () => {
  expect(isCacheProbeRace(new ButlerError('BUILD_FAILED', 'unable to find image "node:20" locally'))).toBe(
    false,
  );
  expect(
    isCacheProbeRace(new ButlerError('BUILD_FAILED', `unable to find image "sha256:${'ab'.repeat(8)}"`)),
  ).toBe(false);
  expect(isCacheProbeRace(new ButlerError('ENGINE_UNREACHABLE', `unable to find image "${id}"`))).toBe(false);
  expect(isCacheProbeRace(new Error(`unable to find image "${id}"`))).toBe(false);
});
