import { expect, test } from 'vitest';
import { remoteCacheMode } from './remote-cache-setting.js';

test('a registry turns the shared cache on; local-registry stays local-only', () => {
  expect(remoteCacheMode('127.0.0.1:5000/team', undefined, {}, undefined)).toBe('both');
  expect(remoteCacheMode('local-registry', undefined, {}, undefined)).toBeUndefined();
});

test('the flag beats the environment, which beats the config', () => {
  const registry = 'registry.example.com/team';
  expect(remoteCacheMode(registry, 'pull', { BUTLER_REMOTE_CACHE: 'push' }, false)).toBe('pull');
  expect(remoteCacheMode(registry, undefined, { BUTLER_REMOTE_CACHE: 'push' }, false)).toBe('push');
  expect(remoteCacheMode(registry, undefined, {}, false)).toBeUndefined();
  expect(remoteCacheMode(registry, undefined, {}, 'pull')).toBe('pull');
  expect(remoteCacheMode(registry, 'off', {}, true)).toBeUndefined();
});

test('asking for a remote cache without a registry, or an unknown mode, is one clear error', () => {
  expect(() => remoteCacheMode('local-registry', 'both', {}, undefined)).toThrow(
    'a remote cache needs a registry: set registry (or --registry, BUTLER_REGISTRY) to host[:port]/namespace',
  );
  expect(() => remoteCacheMode('r.example.com/t', 'sometimes', {}, undefined)).toThrow(
    'remote cache "sometimes" must be one of both, pull, push, off',
  );
});
