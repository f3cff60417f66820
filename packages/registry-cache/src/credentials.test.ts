import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { useTempDirs } from '@devops-butler/test-support';
import { expect, test } from 'vitest';
import { credentialsFor, registryAuthHeader } from './credentials.js';

const tempDir = useTempDirs();

/** A DOCKER_CONFIG folder with this config.json, and a PATH holding the given credential helpers. */
function dockerConfig(config: object, helpers: Record<string, string> = {}): NodeJS.ProcessEnv {
  const dir = tempDir('butler-docker-config-');
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
  for (const [name, script] of Object.entries(helpers)) {
    const path = join(dir, `docker-credential-${name}`);
    writeFileSync(path, `#!/bin/sh\n${script}\n`);
    chmodSync(path, 0o755);
  }
  return { DOCKER_CONFIG: dir, PATH: `${dir}:${process.env.PATH}` };
}

test('credentials come from auths in the docker config, matched by host', async () => {
  const auth = Buffer.from('ci-bot:s3cr:et').toString('base64');
  const env = dockerConfig({ auths: { 'https://registry.example.com:5000/v1/': { auth } } });
  expect(await credentialsFor('registry.example.com:5000', env)).toEqual({
    username: 'ci-bot',
    password: 's3cr:et',
  });
  expect(await credentialsFor('other.example.com', env)).toBeUndefined();
});

test('a credential helper for the host wins over auths; the host goes to it on stdin', async () => {
  const env = dockerConfig(
    {
      credHelpers: { 'registry.example.com': 'acme' },
      auths: { 'registry.example.com': { auth: Buffer.from('old:pw').toString('base64') } },
    },
    // Answers only for the host it is asked about, as real helpers do.
    {
      acme: 'read host; [ "$host" = registry.example.com ] && echo \'{"Username":"helper-user","Secret":"helper-pw"}\' || exit 1',
    },
  );
  expect(await credentialsFor('registry.example.com', env)).toEqual({
    username: 'helper-user',
    password: 'helper-pw',
  });
});

test('a credsStore that has nothing for the host falls back to auths; "<token>" means an identity token', async () => {
  const env = dockerConfig(
    { credsStore: 'store', auths: { 'a.example.com': { auth: Buffer.from('u:p').toString('base64') } } },
    {
      store:
        'read host; [ "$host" = b.example.com ] && echo \'{"Username":"<token>","Secret":"refresh"}\' || exit 1',
    },
  );
  expect(await credentialsFor('a.example.com', env)).toEqual({ username: 'u', password: 'p' });
  expect(await credentialsFor('b.example.com', env)).toEqual({ identityToken: 'refresh' });
});

test('no docker config means anonymous; a broken one is one clear error', async () => {
  expect(await credentialsFor('r.example.com', { DOCKER_CONFIG: '/nonexistent' })).toBeUndefined();
  const env = dockerConfig({});
  writeFileSync(join(env.DOCKER_CONFIG as string, 'config.json'), '{ nope');
  await expect(credentialsFor('r.example.com', env)).rejects.toThrow(/config\.json is not valid JSON/);
});

test("the engine's X-Registry-Auth header carries the credentials as padded URL-safe base64 JSON", () => {
  const header = registryAuthHeader('r.example.com', { username: 'u', password: 'p' });
  expect(header.length % 4).toBe(0);
  expect(header).toMatch(/^[A-Za-z0-9_-]+=*$/);
  expect(JSON.parse(Buffer.from(header, 'base64url').toString())).toEqual({
    username: 'u',
    password: 'p',
    serveraddress: 'r.example.com',
  });
  expect(JSON.parse(Buffer.from(registryAuthHeader('r', undefined), 'base64url').toString())).toEqual({});
});

test('a credential helper that exits without reading its input means no credentials, not a crash', async () => {
  const env = dockerConfig({ credsStore: 'quick' }, { quick: 'exec 0<&-\nexit 1' });
  // A host longer than a pipe's buffer makes the write outlive the helper every time (EPIPE),
  // where a short one does only now and then.
  const host = `${'h'.repeat(200_000)}.example.com`;
  for (let i = 0; i < 5; i++) expect(await credentialsFor(host, env)).toBeUndefined();
});
