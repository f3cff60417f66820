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

test('leaves TLS and ssh endpoints to dockerode', () => {
  expect(plainEndpoint({ DOCKER_HOST: 'tcp://10.0.0.1:2376', DOCKER_TLS_VERIFY: '1' })).toBeUndefined();
  expect(plainEndpoint({ DOCKER_HOST: 'ssh://me@build-host' })).toBeUndefined();
});
