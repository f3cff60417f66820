import { expect, test } from 'vitest';
import { describeApiBuilder, engineBuilderFromPing } from './engine-builder.js';

// /_ping answers recorded from real engines (headers as Node lower-cases them).
const DOCKER_20_10 = {
  'api-version': '1.41',
  'docker-experimental': 'false',
  ostype: 'linux',
  server: 'Docker/20.10.24+dfsg1 (linux)',
};
// Docker 23 and later announce BuildKit as the default builder.
const DOCKER_24 = {
  'api-version': '1.43',
  'builder-version': '2',
  'docker-experimental': 'false',
  ostype: 'linux',
  server: 'Docker/24.0.7 (linux)',
};
const PODMAN_4_3 = {
  'api-version': '1.41',
  'builder-version': '',
  'buildkit-version': '',
  'docker-experimental': 'true',
  'libpod-api-version': '4.3.1',
  'libpod-buildah-version': '1.28.2',
  server: 'Libpod/4.3.1 (linux)',
};

test('the engine and its default builder are read from /_ping', () => {
  expect(engineBuilderFromPing(DOCKER_20_10)).toEqual({
    engine: 'docker',
    version: '20.10.24+dfsg1',
    defaultBuilder: 'classic',
  });
  expect(engineBuilderFromPing(DOCKER_24)).toEqual({
    engine: 'docker',
    version: '24.0.7',
    defaultBuilder: 'buildkit',
  });
  expect(engineBuilderFromPing(PODMAN_4_3)).toEqual({
    engine: 'podman',
    version: '4.3.1',
    defaultBuilder: 'classic',
  });
  expect(engineBuilderFromPing({})).toEqual({
    engine: 'unknown',
    version: undefined,
    defaultBuilder: 'classic',
  });
});

test('butler build --verbose says which builder the Engine API backend uses', () => {
  expect(describeApiBuilder(engineBuilderFromPing(DOCKER_20_10))).toBe(
    "builder: the classic builder, Docker 20.10.24+dfsg1's default",
  );
  expect(describeApiBuilder(engineBuilderFromPing(DOCKER_24))).toMatch(
    /classic builder through Docker 24\.0\.7's \/build API \(the engine's default is BuildKit, which backend: 'docker-cli' uses\)/,
  );
  expect(describeApiBuilder(engineBuilderFromPing(PODMAN_4_3))).toBe(
    "builder: Buildah, through Podman 4.3.1's Docker-compatible /build API",
  );
});
