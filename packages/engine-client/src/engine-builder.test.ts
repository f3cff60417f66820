import { expect, test } from 'vitest';
import { chooseApiBuilder, describeBuilder, engineBuilderFromPing } from './engine-builder.js';

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
    os: 'linux',
  });
  expect(engineBuilderFromPing(DOCKER_24)).toEqual({
    engine: 'docker',
    version: '24.0.7',
    defaultBuilder: 'buildkit',
    os: 'linux',
  });
  expect(engineBuilderFromPing(PODMAN_4_3)).toEqual({
    engine: 'podman',
    version: '4.3.1',
    defaultBuilder: 'classic',
    os: undefined,
  });
  expect(engineBuilderFromPing({})).toEqual({
    engine: 'unknown',
    version: undefined,
    defaultBuilder: 'classic',
    os: undefined,
  });
});

test('BuildKit wherever the engine has it: Docker 20.10 (whose default is classic) and 24; Podman builds with Buildah', () => {
  const env = {};
  expect(chooseApiBuilder(engineBuilderFromPing(DOCKER_20_10), { env })).toEqual({
    builder: 'buildkit',
    reason: 'Docker 20.10.24+dfsg1 has BuildKit',
  });
  expect(chooseApiBuilder(engineBuilderFromPing(DOCKER_24), { env }).builder).toBe('buildkit');
  expect(chooseApiBuilder(engineBuilderFromPing(PODMAN_4_3), { env })).toEqual({
    builder: 'classic',
    reason: 'Podman 4.3.1 builds with Buildah',
  });
  expect(describeBuilder(chooseApiBuilder(engineBuilderFromPing(PODMAN_4_3), { env }))).toBe(
    'builder: the classic builder (Podman 4.3.1 builds with Buildah)',
  );
});

test('DOCKER_BUILDKIT=0|1 is honoured as docker honours it, and the config wins over both', () => {
  const docker = engineBuilderFromPing(DOCKER_24);
  expect(chooseApiBuilder(docker, { env: { DOCKER_BUILDKIT: '0' } })).toEqual({
    builder: 'classic',
    reason: 'DOCKER_BUILDKIT=0 is set',
  });
  expect(
    chooseApiBuilder(engineBuilderFromPing(DOCKER_20_10), { env: { DOCKER_BUILDKIT: 'false' } }).builder,
  ).toBe('classic');
  expect(chooseApiBuilder(docker, { env: { DOCKER_BUILDKIT: 'maybe' } }).builder).toBe('buildkit');
  expect(chooseApiBuilder(docker, { configured: 'classic', env: { DOCKER_BUILDKIT: '1' } })).toEqual({
    builder: 'classic',
    reason: 'the config asks for it',
  });
});
