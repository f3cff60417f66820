import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { setForceMarker } from './force-marker.js';
import { resolveBuildSettings, resolveRemoteCache } from './resolve-build-settings.js';

const folders: string[] = [];
afterEach(() => {
  for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true });
});
const stateDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'butler-settings-'));
  folders.push(dir);
  return dir;
};
const request = (registry = 'local-registry', force = false) => ({ registry, repo: 'app', force });

test('a build with no settings: defaults filled, stays local, retention on, not forced', async () => {
  const dir = stateDir();
  const resolved = await resolveBuildSettings(request(), { env: {}, stateDir: dir });
  expect(resolved).toMatchObject({
    stateDir: dir,
    plugins: [],
    replaceDefaultPlugins: false,
    retention: {},
    remoteCache: false,
    forced: undefined,
    forceMarker: false,
  });
});

test('the state folder defaults to the XDG state folder of the given environment', async () => {
  const xdg = stateDir();
  const resolved = await resolveBuildSettings(request(), { env: { XDG_STATE_HOME: xdg } });
  expect(resolved.stateDir.startsWith(xdg)).toBe(true);
});

test('--no-cleanup and retention.auto: false both turn retention off', async () => {
  const dir = stateDir();
  expect(
    (await resolveBuildSettings(request(), { env: {}, stateDir: dir, retention: false })).retention,
  ).toBe(false);
  const auto = await resolveBuildSettings(request(), { env: {}, stateDir: dir, retention: { auto: false } });
  expect(auto.retention).toBe(false);
  const keep = await resolveBuildSettings(request(), { env: {}, stateDir: dir, retention: { keep: 5 } });
  expect(keep.retention).toEqual({ keep: 5 });
});

test('the force rules in order: the request, the setting, BUTLER_FORCE_REBUILD, a force-rebuild marker', async () => {
  const dir = stateDir();
  const forced = async (force: boolean, settings: Parameters<typeof resolveBuildSettings>[1]) =>
    (await resolveBuildSettings(request('local-registry', force), { stateDir: dir, env: {}, ...settings }))
      .forced;
  expect(await forced(false, {})).toBeUndefined();
  expect(await forced(true, {})).toBe('request');
  expect(await forced(false, { forceRebuild: true })).toBe('setting');
  expect(await forced(false, { env: { BUTLER_FORCE_REBUILD: '1' } })).toBe('environment');
  expect(await forced(false, { env: { BUTLER_FORCE_REBUILD: 'no' } })).toBeUndefined();
  await setForceMarker(dir, 'app');
  const marked = await resolveBuildSettings(request(), { stateDir: dir, env: {} });
  expect(marked).toMatchObject({ forced: 'marker', forceMarker: true });
  // The marker is still noticed (and cleared after the build) when another rule forced the build.
  expect(
    (await resolveBuildSettings(request('local-registry', true), { stateDir: dir, env: {} })).forceMarker,
  ).toBe(true);
});

test('the shared cache: flag over environment over config; resolved options kept as given', () => {
  const registry = '127.0.0.1:5000/team';
  expect(resolveRemoteCache(registry, { env: {} })).toEqual({ mode: 'both' });
  expect(
    resolveRemoteCache(registry, { env: { BUTLER_REMOTE_CACHE: 'push' }, remoteCache: 'pull' }),
  ).toMatchObject({ mode: 'push' });
  expect(
    resolveRemoteCache(registry, {
      env: { BUTLER_REMOTE_CACHE: 'push' },
      remoteCacheFlag: 'off',
      remoteCache: 'pull',
    }),
  ).toBe(false);
  // Already resolved (a deploy): every option reaches the shared cache, the flag is not asked again.
  expect(
    resolveRemoteCache(registry, {
      env: {},
      remoteCacheFlag: 'off',
      remoteCacheOptions: { mode: 'pull', socketPath: '/run/x.sock' },
    }),
  ).toMatchObject({ mode: 'pull', socketPath: '/run/x.sock' });
  expect(resolveRemoteCache(registry, { env: {}, remoteCacheOptions: false })).toBe(false);
  expect(() => resolveRemoteCache('local-registry', { env: {}, remoteCacheFlag: 'both' })).toThrow(
    'a remote cache needs a registry',
  );
});

test('the shared cache of a build goes the way of the backend, and --require-push reaches it', async () => {
  const dir = stateDir();
  const registry = '127.0.0.1:5000/team';
  const cli = await resolveBuildSettings(request(registry), {
    env: {},
    stateDir: dir,
    backend: 'docker-cli',
    requirePush: true,
  });
  expect(cli.remoteCache).toMatchObject({ mode: 'both', via: 'docker-cli', requirePush: true });
  const engine = await resolveBuildSettings(request(registry), {
    env: {},
    stateDir: dir,
    remoteCacheOptions: { mode: 'pull', requirePush: false },
    requirePush: true,
  });
  expect(engine.remoteCache).toMatchObject({ mode: 'pull', via: 'engine', requirePush: false });
});
