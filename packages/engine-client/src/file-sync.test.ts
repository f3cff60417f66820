import type { SyncEntry, SyncRequest } from '@devops-butler/core';
import { expect, test } from 'vitest';
import { serveDiffCopy } from './file-sync.js';
import {
  decodePacket,
  encodePacket,
  PACKET_DATA,
  PACKET_ERR,
  PACKET_FIN,
  PACKET_REQ,
  PACKET_STAT,
} from './fsutil-wire.js';
import type { GrpcCall } from './grpc-server.js';

const stat = (path: string, mode: number, size = 0) => ({ path, mode, uid: 0, gid: 0, size, modTime: 1n });
const ENTRIES: SyncEntry[] = [
  { stat: stat('src', 0o040755) },
  { stat: stat('src/a.txt', 0o100644, 5), read: () => [Buffer.from('alpha')] },
  { stat: stat('z.txt', 0o100644, 4), read: () => [Buffer.from('zu'), Buffer.from('lu')] },
];

/** A DiffCopy call as BuildKit makes it: `received` are its packets; the answers are collected. */
function fakeCall(received: Parameters<typeof encodePacket>[0][], metadata: Record<string, string[]> = {}) {
  const sent: { type: number; id?: number; path?: string; data?: string }[] = [];
  const call: GrpcCall = {
    metadata: new Map(Object.entries({ 'dir-name': ['context'], ...metadata })),
    messages: (async function* () {
      for (const packet of received) {
        await new Promise((resolve) => setImmediate(resolve));
        yield Buffer.from(encodePacket(packet));
      }
    })(),
    async send(message) {
      const bytes = message instanceof Uint8Array ? message : Buffer.concat(message);
      const packet = decodeSent(bytes);
      sent.push(packet);
    },
  };
  return { call, sent };
}

/** Our packets carry stats, which decodePacket (the receiving side) skips: read the path roughly. */
function decodeSent(bytes: Uint8Array) {
  const packet = decodePacket(bytes);
  const text = Buffer.from(bytes).toString('latin1');
  const path =
    packet.type === PACKET_STAT && bytes.length > 0 ? /[a-z./]+\.txt|src/.exec(text)?.[0] : undefined;
  return {
    type: packet.type,
    ...(packet.id ? { id: packet.id } : {}),
    ...(path ? { path } : {}),
    ...(packet.data ? { data: Buffer.from(packet.data).toString() } : {}),
  };
}

test('every stat, the end of stats, the bytes of each requested file and its end, then FIN', async () => {
  const { call, sent } = fakeCall([
    { type: PACKET_REQ, id: 2 },
    { type: PACKET_REQ, id: 1 },
    { type: PACKET_FIN },
  ]);
  let asked: SyncRequest | undefined;
  await serveDiffCopy(call, (request) => {
    asked = request;
    return ENTRIES;
  });
  expect(asked).toEqual({ name: 'context', includePatterns: [], excludePatterns: [], followPaths: [] });
  expect(sent).toEqual([
    { type: PACKET_STAT, path: 'src' },
    { type: PACKET_STAT, path: 'src/a.txt' },
    { type: PACKET_STAT, path: 'z.txt' },
    { type: PACKET_STAT },
    { type: PACKET_DATA, id: 2, data: 'zu' },
    { type: PACKET_DATA, id: 2, data: 'lu' },
    { type: PACKET_DATA, id: 2 },
    { type: PACKET_DATA, id: 1, data: 'alpha' },
    { type: PACKET_DATA, id: 1 },
    { type: PACKET_FIN },
  ]);
});

test('a file whose bytes fail their check stops the sync before BuildKit is told the file is whole', async () => {
  const entries: SyncEntry[] = [
    {
      stat: stat('a.txt', 0o100644, 5),
      *read() {
        yield Buffer.from('ALPHA');
        throw new Error('"a.txt" changed after it was hashed (its content)');
      },
    },
  ];
  const { call, sent } = fakeCall([{ type: PACKET_REQ, id: 0 }, { type: PACKET_FIN }]);
  await expect(serveDiffCopy(call, () => entries)).rejects.toThrow(/changed after it was hashed/);
  expect(sent.filter((p) => p.type === PACKET_DATA)).toEqual([{ type: PACKET_DATA, data: 'ALPHA' }]);
});

test('requests for a folder the session does not serve, for a folder entry, or an error from BuildKit fail the call', async () => {
  await expect(serveDiffCopy(fakeCall([]).call, () => undefined)).rejects.toThrow(
    /serves no folder "context"/,
  );
  await expect(serveDiffCopy(fakeCall([{ type: PACKET_REQ, id: 0 }]).call, () => ENTRIES)).rejects.toThrow(
    /not a file/,
  );
  const err = fakeCall([{ type: PACKET_ERR, data: Buffer.from('no space left on device') }]);
  await expect(serveDiffCopy(err.call, () => ENTRIES)).rejects.toThrow(/no space left on device/);
  await expect(serveDiffCopy(fakeCall([]).call, () => ENTRIES)).rejects.toThrow(/before it finished/);
});

test("the frontend's patterns reach the folder lookup, each value whole", async () => {
  let asked: SyncRequest | undefined;
  const { call } = fakeCall([{ type: PACKET_FIN }], {
    'dir-name': ['dockerfile'],
    followpaths: ['Dockerfile', 'Dockerfile.dockerignore'],
    'include-patterns': ['.dockerignore'],
  });
  await serveDiffCopy(call, (request) => {
    asked = request;
    return [];
  });
  expect(asked).toEqual({
    name: 'dockerfile',
    includePatterns: ['.dockerignore'],
    excludePatterns: [],
    followPaths: ['Dockerfile', 'Dockerfile.dockerignore'],
  });
});
