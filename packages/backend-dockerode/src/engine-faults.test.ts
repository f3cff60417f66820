import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createButler, toRequest } from '@devops-butler/core';
import { makeTree } from '@devops-butler/test-support';
import { afterEach, expect, test, vi } from 'vitest';
import { dockerode } from './index.js';

// An engine that misbehaves on purpose, on a unix socket of its own: the real one is never touched.
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  vi.unstubAllEnvs();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function fakeEngine(onBuild: (req: IncomingMessage, res: ServerResponse) => void, hang = false) {
  const dir = mkdtempSync(join(tmpdir(), 'butler-fake-engine-'));
  const socketPath = join(dir, 'docker.sock');
  const server: Server = createServer((req, res) => {
    if (hang) return; // accepts, never answers
    if (req.url?.startsWith('/build')) return onBuild(req, res);
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"No such image"}');
  });
  await new Promise<void>((listening) => server.listen(socketPath, listening));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  cleanups.push(() => {
    server.closeAllConnections();
    return new Promise((closed) => server.close(closed));
  });
  const tree = await makeTree({ Dockerfile: 'FROM scratch\nCOPY a /a\n', a: 'x' });
  cleanups.push(() => tree.remove());
  const build = () =>
    createButler({ plugins: [dockerode({ socketPath })], stateDir: '' }).build(
      toRequest({ context: tree.dir }),
    );
  return { build };
}

test('an engine that goes away in the middle of a build is one line that says so', async () => {
  const engine = await fakeEngine((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{"stream":"Step 1/2 : FROM scratch\\n"}\n');
    setTimeout(() => res.socket?.destroy(), 50); // as a restarting dockerd drops its connections
  });
  await expect(engine.build()).rejects.toMatchObject({
    code: 'ENGINE_UNREACHABLE',
    message: 'the Docker engine closed the connection during the build — is it restarting?',
  });
});

test('an engine that accepts and never answers ends the call after BUTLER_ENGINE_TIMEOUT seconds', async () => {
  vi.stubEnv('BUTLER_ENGINE_TIMEOUT', '1');
  const engine = await fakeEngine(() => undefined, true);
  const started = Date.now();
  await expect(engine.build()).rejects.toMatchObject({
    code: 'ENGINE_UNREACHABLE',
    message: expect.stringMatching(/the Docker engine did not answer GET \/images\/.* within 1 s/),
  });
  expect(Date.now() - started).toBeLessThan(10_000);
});
