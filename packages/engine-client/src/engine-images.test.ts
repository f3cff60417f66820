import { rm } from 'node:fs/promises';
import { createServer, type RequestListener } from 'node:http';
import { expect, test } from 'vitest';
import { buildCacheRecords, buildCacheUsage, imageDiskUsage, listImages } from './engine-images.js';

let sockets = 0;

/** An engine answering with `answer` on a socket of its own while `use` runs. */
async function fakeEngine<T>(answer: RequestListener, use: (socketPath: string) => Promise<T>): Promise<T> {
  const socketPath = `/tmp/butler-engine-images-${process.pid}-${sockets++}.sock`;
  const server = createServer(answer);
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  try {
    return await use(socketPath);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await rm(socketPath, { force: true });
  }
}

/** An engine that answers as Podman 4.3 does: parent IDs (and df's image IDs) without `sha256:`. */
async function podmanLike<T>(use: (socketPath: string) => Promise<T>): Promise<T> {
  return fakeEngine((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url?.includes('/system/df')) {
      res.end(
        JSON.stringify({
          LayersSize: 0,
          Images: [{ Id: 'abc', Size: 10, SharedSize: 4 }],
          // As Docker 20.10 lists BuildKit's records: a shared one's bytes are another's too.
          BuildCache: [
            { Size: 100, InUse: false, Shared: true },
            { Size: 30, InUse: false, Shared: false },
            { Size: 20, InUse: true, Shared: false },
          ],
        }),
      );
      return;
    }
    res.end(
      JSON.stringify([
        {
          Id: 'sha256:app',
          ParentId: 'step',
          RepoTags: ['docker.io/local-registry/app:latest'],
          Size: 10,
          Created: 0,
          Labels: null,
        },
        { Id: 'sha256:step', ParentId: '', RepoTags: null, Size: 9, Created: 0, Labels: null },
      ]),
    );
  }, use);
}

test("image IDs come back in Docker's form whichever engine answered: a parent is found by its ID", async () => {
  await podmanLike(async (socketPath) => {
    const images = await listImages({ socketPath }, { all: true });
    expect(images.map((image) => [image.Id, image.ParentId, image.RepoTags])).toEqual([
      ['sha256:app', 'sha256:step', ['local-registry/app:latest']],
      ['sha256:step', '', []],
    ]);
    expect((await imageDiskUsage({ socketPath })).uniqueBytes).toEqual(new Map([['sha256:abc', 6]]));
  });
});

test('the build cache counts as docker system df and BuildKit’s prune do: shared records once, with their holder', async () => {
  await podmanLike(async (socketPath) => {
    expect(await buildCacheUsage({ socketPath })).toEqual({ bytes: 50, reclaimableBytes: 30, records: 3 });
  });
});

/** An engine whose `/_ping` answers with `ping`'s headers and whose disk usage lists `buildCache`. */
async function engineWithCache<T>(
  ping: Record<string, string>,
  buildCache: unknown,
  use: (socketPath: string) => Promise<T>,
): Promise<T> {
  return fakeEngine((req, res) => {
    if (req.url?.endsWith('/_ping')) {
      res.writeHead(200, ping).end('OK');
      return;
    }
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ LayersSize: 0, Images: [], BuildCache: buildCache }));
  }, use);
}

test('an empty build cache on Docker is 0 B in 0 records, not an engine without one', async () => {
  // Docker 20.10 lists an empty cache (a new engine, or one just pruned) as null.
  await engineWithCache(
    { Server: 'Docker/20.10.24+dfsg1 (linux)', Ostype: 'linux' },
    null,
    async (socketPath) => {
      expect(await buildCacheRecords({ socketPath })).toEqual([]);
      expect(await buildCacheUsage({ socketPath })).toEqual({ bytes: 0, reclaimableBytes: 0, records: 0 });
    },
  );
});

test('Podman keeps no BuildKit cache, though its disk usage lists an empty one', async () => {
  await engineWithCache(
    { Server: 'Libpod/4.3.1 (linux)', 'Libpod-Api-Version': '4.3.1', Ostype: 'linux' },
    [],
    async (socketPath) => {
      expect(await buildCacheRecords({ socketPath })).toBeUndefined();
      expect(await buildCacheUsage({ socketPath })).toBeUndefined();
    },
  );
});
