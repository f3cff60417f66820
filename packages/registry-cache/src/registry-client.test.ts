import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, expect, test, vi } from 'vitest';
import { RegistryClient } from './registry-client.js';
import { parseRegistry } from './registry-name.js';

const PASSWORD = 'pw-only-for-the-registry';
const BASIC = `Basic ${Buffer.from(`ci:${PASSWORD}`).toString('base64')}`;
const credentials = { username: 'ci', password: PASSWORD };

const servers: Server[] = [];
afterEach(async () => {
  vi.unstubAllGlobals();
  for (const server of servers.splice(0)) await new Promise((done) => server.close(done));
});

/** An HTTP server on 127.0.0.1 that records the Authorization header of every request. */
async function server(handle: (req: IncomingMessage, res: ServerResponse) => void) {
  const seen: { url: string; authorization: string | undefined }[] = [];
  const s = createServer((req, res) => {
    seen.push({ url: req.url ?? '', authorization: req.headers.authorization });
    handle(req, res);
  });
  servers.push(s);
  await new Promise<void>((listening) => s.listen(0, '127.0.0.1', listening));
  return { host: `127.0.0.1:${(s.address() as AddressInfo).port}`, seen };
}

test('a Link to another host is followed without the registry credentials', async () => {
  const other = await server((_req, res) => res.end(JSON.stringify({ tags: ['page2'] })));
  const registry = await server((_req, res) => {
    res.setHeader('link', `<http://${other.host}/v2/team/app/tags/list?last=a>; rel="next"`);
    res.end(JSON.stringify({ tags: ['page1'] }));
  });
  const client = new RegistryClient(parseRegistry(`${registry.host}/team`), credentials);
  expect(await client.tags('team/app')).toEqual(['page1', 'page2']);
  expect(registry.seen[0]?.authorization).toBe(BASIC);
  expect(other.seen).toHaveLength(1);
  expect(other.seen[0]?.authorization).toBeUndefined();
});

test('a redirect to another host is followed without the registry credentials; one on the registry keeps them', async () => {
  const other = await server((_req, res) => res.end(JSON.stringify({ config: { Labels: { a: 'b' } } })));
  const registry = await server((req, res) => {
    if (req.url?.includes('/blobs/sha256:moved')) {
      res.writeHead(307, { location: '/v2/team/app/blobs/sha256:here' }).end();
    } else if (req.url?.includes('/blobs/sha256:here')) {
      res.writeHead(307, { location: `http://${other.host}/storage/blob` }).end();
    } else res.writeHead(404).end();
  });
  const client = new RegistryClient(parseRegistry(`${registry.host}/team`), credentials);
  expect((await client.imageConfig('team/app', 'sha256:moved')).labels).toEqual({ a: 'b' });
  expect(registry.seen.map((r) => r.authorization)).toEqual([BASIC, BASIC]);
  expect(other.seen).toEqual([{ url: '/storage/blob', authorization: undefined }]);
});

/** A registry on https://registry.example.com whose token server is `realm`, played by a stub fetch. */
function tokenWorld(realm: string) {
  const calls: { url: string; authorization: string | null }[] = [];
  vi.stubGlobal('fetch', async (input: URL | string, init: RequestInit = {}) => {
    const url = new URL(String(input));
    const authorization = new Headers(init.headers).get('authorization');
    calls.push({ url: url.origin + url.pathname, authorization });
    if (url.origin + url.pathname === realm) return Response.json({ token: 'tok' });
    if (authorization === 'Bearer tok') return Response.json({ tags: ['v1'] });
    return new Response('', {
      status: 401,
      headers: {
        'www-authenticate': `Bearer realm="${realm}",service="registry",scope="repository:team/app:pull"`,
      },
    });
  });
  const client = new RegistryClient(parseRegistry('registry.example.com/team'), credentials);
  const sentTo = (origin: string) =>
    calls.filter((c) => c.url.startsWith(origin)).map((c) => c.authorization);
  return { client, sentTo };
}

test('a token realm on another host over plain http never gets the password', async () => {
  const world = tokenWorld('http://auth.example.net/token');
  expect(await world.client.tags('team/app')).toEqual(['v1']);
  expect(world.sentTo('http://auth.example.net')).toEqual([null]);
});

test('a token realm over https, or on the registry itself, gets the credentials as docker login would', async () => {
  const https = tokenWorld('https://auth.example.net/token');
  expect(await https.client.tags('team/app')).toEqual(['v1']);
  expect(https.sentTo('https://auth.example.net')).toEqual([BASIC]);
  const own = tokenWorld('https://registry.example.com/token');
  await own.client.tags('team/app');
  expect(own.sentTo('https://registry.example.com/token')).toEqual([BASIC]);
});

test('a loopback token realm on plain http gets the credentials (a local test registry)', async () => {
  const world = tokenWorld('http://127.0.0.1:9/token');
  await world.client.tags('team/app');
  expect(world.sentTo('http://127.0.0.1:9')).toEqual([BASIC]);
});
