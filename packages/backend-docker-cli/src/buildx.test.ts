import { expect, test } from 'vitest';
import { builderEnvironment, parseBuildxVersion } from './buildx.js';

test('docker buildx version: the plugin, a packager build, and a CLI without it (recorded answers)', () => {
  expect(parseBuildxVersion(0, 'github.com/docker/buildx v0.11.2 9872040\n')).toBe('0.11.2');
  expect(parseBuildxVersion(0, 'github.com/docker/buildx 0.10.4+dfsg1 0.10.4+dfsg1-1\n')).toBe(
    '0.10.4+dfsg1',
  );
  // Debian 12's docker.io 20.10 without the docker-buildx package:
  expect(parseBuildxVersion(1, '')).toBeUndefined();
});

test('the docker-cli backend builds with BuildKit where buildx exists; DOCKER_BUILDKIT set by the user wins', () => {
  expect(builderEnvironment('0.11.2', {})).toEqual({
    env: { DOCKER_BUILDKIT: '1' },
    description: 'builder: BuildKit (docker buildx 0.11.2)',
  });
  expect(builderEnvironment(undefined, {}).env).toEqual({});
  expect(builderEnvironment(undefined, {}).description).toMatch(
    /classic builder where buildx is not installed/,
  );
  expect(builderEnvironment('0.11.2', { DOCKER_BUILDKIT: '0' })).toEqual({
    env: {},
    description: 'builder: the classic builder (DOCKER_BUILDKIT=0 is set)',
  });
});
