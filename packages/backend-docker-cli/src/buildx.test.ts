import { expect, test } from 'vitest';
import { chooseCliBuilder, parseBuildxVersion } from './buildx.js';

test('docker buildx version: the plugin, a packager build, and a CLI without it (recorded answers)', () => {
  expect(parseBuildxVersion(0, 'github.com/docker/buildx v0.11.2 9872040\n')).toBe('0.11.2');
  expect(parseBuildxVersion(0, 'github.com/docker/buildx 0.10.4+dfsg1 0.10.4+dfsg1-1\n')).toBe(
    '0.10.4+dfsg1',
  );
  // Debian 12's docker.io 20.10 without the docker-buildx package:
  expect(parseBuildxVersion(1, '')).toBeUndefined();
});

test('the docker-cli backend uses BuildKit wherever the CLI has it: buildx, or built into 18.09–22.x', () => {
  const env = {};
  expect(chooseCliBuilder('28.2.2', '0.11.2', { env })).toEqual({
    builder: 'buildkit',
    reason: 'docker buildx 0.11.2',
  });
  // Debian 12's docker.io CLI: BuildKit built in, no buildx needed.
  expect(chooseCliBuilder('20.10.24+dfsg1', undefined, { env })).toEqual({
    builder: 'buildkit',
    reason: 'docker 20.10.24+dfsg1 has BuildKit built in',
  });
  // From 23.0 on, docker build without buildx is the legacy builder.
  expect(chooseCliBuilder('28.2.2', undefined, { env }).builder).toBe('classic');
  expect(chooseCliBuilder('18.06.3-ce', undefined, { env }).builder).toBe('classic');
  expect(chooseCliBuilder(undefined, undefined, { env }).builder).toBe('classic');
});

test('DOCKER_BUILDKIT as docker reads it, and the config, win over what the CLI has', () => {
  expect(chooseCliBuilder('20.10.24', undefined, { env: { DOCKER_BUILDKIT: '0' } })).toEqual({
    builder: 'classic',
    reason: 'DOCKER_BUILDKIT=0 is set',
  });
  expect(chooseCliBuilder('28.2.2', undefined, { env: { DOCKER_BUILDKIT: 'true' } }).builder).toBe(
    'buildkit',
  );
  expect(chooseCliBuilder('28.2.2', '0.11.2', { configured: 'classic', env: {} })).toEqual({
    builder: 'classic',
    reason: 'the config asks for it',
  });
});
