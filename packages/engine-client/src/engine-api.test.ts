import { expect, test } from 'vitest';
import { plainEndpoint } from './engine-api.js';

test('talks to the default socket when DOCKER_HOST is unset, and to a unix or plain tcp DOCKER_HOST', () => {
  expect(plainEndpoint({})).toEqual({ socketPath: '/var/run/docker.sock' });
  expect(plainEndpoint({ DOCKER_HOST: 'unix:///run/user/1000/docker.sock' })).toEqual({
    socketPath: '/run/user/1000/docker.sock',
  });
  expect(plainEndpoint({ DOCKER_HOST: 'tcp://127.0.0.1:2375' })).toEqual({ host: '127.0.0.1', port: 2375 });
  expect(plainEndpoint({}, '/tmp/other.sock')).toEqual({ socketPath: '/tmp/other.sock' });
});

test('TLS and ssh endpoints are reached by the client itself (no dockerode needed)', () => {
  expect(
    plainEndpoint({ DOCKER_HOST: 'tcp://10.0.0.1:2376', DOCKER_TLS: '1', DOCKER_CERT_PATH: '/nonexistent' }),
  ).toEqual({
    host: '10.0.0.1',
    port: 2376,
    tls: { ca: undefined, cert: undefined, key: undefined, verify: false },
  });
  expect(plainEndpoint({ DOCKER_HOST: 'ssh://me@build-host' })).toEqual({
    ssh: { host: 'build-host', user: 'me' },
  });
});
