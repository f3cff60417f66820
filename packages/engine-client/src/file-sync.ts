import type { SyncEntry, SyncRequest } from '@devops-butler/core';
import {
  dataPacketHead,
  decodePacket,
  encodePacket,
  PACKET_DATA,
  PACKET_ERR,
  PACKET_FIN,
  PACKET_REQ,
  PACKET_STAT,
} from './fsutil-wire.js';
import { GRPC_NOT_FOUND, type GrpcCall, GrpcStatusError } from './grpc-server.js';

/** The gRPC method BuildKit pulls a build's local folders through (moby.filesync.v1). */
export const DIFF_COPY = '/moby.filesync.v1.FileSync/DiffCopy';

/**
 * What a session's file sync serves: the entries (in fsutil's walk order: parents first, names
 * sorted) of the folder BuildKit asks for, undefined when the session has none of that name. The
 * entries and the request are core's (`contextSyncFor` makes them).
 */
export type SyncFolders = (request: SyncRequest) => readonly SyncEntry[] | undefined;

/** A DATA packet carries at most this much: well under gRPC's default 4 MiB message limit. */
const CHUNK = 1 << 20;

/**
 * The sending side of fsutil's DiffCopy: every entry's stat, then the bytes of each file the
 * receiver asks for — BuildKit asks only for files whose stat differs from what it kept from the
 * last sync under the session's shared key — until it says FIN.
 */
export async function serveDiffCopy(call: GrpcCall, folders: SyncFolders): Promise<void> {
  const first = (key: string) => call.metadata.get(key)?.[0] ?? '';
  const all = (key: string) => call.metadata.get(key) ?? [];
  const name = first('dir-name');
  const entries = folders({
    name,
    includePatterns: all('include-patterns'),
    excludePatterns: all('exclude-patterns'),
    followPaths: all('followpaths'),
  });
  if (!entries) throw new GrpcStatusError(GRPC_NOT_FOUND, `this session serves no folder "${name}"`);
  const send = (packet: Parameters<typeof encodePacket>[0]) => call.send(encodePacket(packet));
  let stopped = false;
  const stats = (async () => {
    for (const entry of entries) {
      if (stopped) return;
      await send({ type: PACKET_STAT, stat: entry.stat });
    }
    await send({ type: PACKET_STAT });
  })();
  // A failed stat write surfaces through the loop below (the call is gone); do not let it go unheard.
  stats.catch(() => undefined);
  try {
    for await (const message of call.messages) {
      const packet = decodePacket(message);
      if (packet.type === PACKET_REQ) await sendFile(call, entries, packet.id ?? 0);
      else if (packet.type === PACKET_FIN) {
        await stats;
        await send({ type: PACKET_FIN });
        return;
      } else if (packet.type === PACKET_ERR) {
        throw new Error(`BuildKit stopped the file sync: ${Buffer.from(packet.data ?? []).toString('utf8')}`);
      }
    }
    throw new Error('BuildKit ended the file sync before it finished');
  } finally {
    stopped = true;
  }
}

/** A requested file's bytes as DATA packets, then an empty one that says it is whole. */
async function sendFile(call: GrpcCall, entries: readonly SyncEntry[], id: number): Promise<void> {
  const read = entries[id]?.read;
  if (!read) throw new Error(`BuildKit asked for entry ${id}, which is not a file of this sync`);
  for await (const chunk of read()) {
    for (let at = 0; at < chunk.length; at += CHUNK) {
      const part = chunk.subarray(at, Math.min(chunk.length, at + CHUNK));
      await call.send([dataPacketHead(id, part.length), part]);
    }
  }
  await call.send(encodePacket({ type: PACKET_DATA, id }));
}
