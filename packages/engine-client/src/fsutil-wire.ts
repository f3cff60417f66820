import type { SyncStat } from '@devops-butler/core';
import { bytesOf, ProtoWriter, readFields } from './protowire.js';

/**
 * fsutil's wire messages (github.com/tonistiigi/fsutil/types: Packet and Stat), the file sync of a
 * BuildKit session: one stat per entry and the bytes of each file sent.
 */

export const PACKET_STAT = 0;
export const PACKET_REQ = 1;
export const PACKET_DATA = 2;
export const PACKET_FIN = 3;
export const PACKET_ERR = 4;

/** One entry as fsutil describes it (core's SyncStat); `mode` is the POSIX st_mode, sent as Go's os.FileMode. */
export type WireStat = SyncStat;

export interface WirePacket {
  type: number;
  stat?: WireStat | undefined;
  id?: number | undefined;
  data?: Uint8Array | undefined;
}

// Go's os.FileMode type bits, as fsutil sends them (a Stat's mode is uint32(fi.Mode())).
const GO_MODE_DIR = 2 ** 31;
const GO_MODE_SYMLINK = 2 ** 27;
const GO_MODE_SETUID = 2 ** 23;
const GO_MODE_SETGID = 2 ** 22;
const GO_MODE_STICKY = 2 ** 20;

/** A POSIX st_mode (file type and permission bits) as Go's os.FileMode; only dirs, links and files occur here. */
export function goFileMode(posixMode: number): number {
  const type = posixMode & 0o170000;
  let mode = posixMode & 0o777;
  if (type === 0o040000) mode += GO_MODE_DIR;
  else if (type === 0o120000) mode += GO_MODE_SYMLINK;
  if (posixMode & 0o4000) mode += GO_MODE_SETUID;
  if (posixMode & 0o2000) mode += GO_MODE_SETGID;
  if (posixMode & 0o1000) mode += GO_MODE_STICKY;
  return mode;
}

export function encodePacket(packet: WirePacket): Uint8Array {
  const out = new ProtoWriter();
  if (packet.type !== 0) out.tag(1, 0).varint(packet.type);
  if (packet.stat) out.tag(2, 2).bytes(encodeStat(packet.stat));
  if (packet.id) out.tag(3, 0).varint(packet.id);
  if (packet.data && packet.data.length > 0) out.tag(4, 2).bytes(packet.data);
  return out.finish();
}

/** A DATA packet's bytes without copying the chunk twice: the header, then the chunk itself. */
export function dataPacketHead(id: number, length: number): Uint8Array {
  const out = new ProtoWriter();
  out.tag(1, 0).varint(PACKET_DATA);
  if (id) out.tag(3, 0).varint(id);
  out.tag(4, 2).varint(length);
  return out.finish();
}

function encodeStat(stat: WireStat): Uint8Array {
  const out = new ProtoWriter();
  if (stat.path) out.tag(1, 2).string(stat.path);
  const mode = goFileMode(stat.mode);
  if (mode) out.tag(2, 0).varint(mode);
  if (stat.uid) out.tag(3, 0).varint(stat.uid);
  if (stat.gid) out.tag(4, 0).varint(stat.gid);
  if (stat.size) out.tag(5, 0).varint(stat.size);
  if (stat.modTime) out.tag(6, 0).varint(stat.modTime);
  if (stat.linkname) out.tag(7, 2).string(stat.linkname);
  return out.finish();
}

/** Reads what the receiver sends (type, ID, data); a stat inside is skipped, BuildKit never sends one. */
export function decodePacket(bytes: Uint8Array): WirePacket {
  const packet: WirePacket = { type: 0 };
  readFields(bytes, (field, value) => {
    if (field === 1) packet.type = Number(value);
    else if (field === 3) packet.id = Number(value);
    else if (field === 4) packet.data = bytesOf(value);
  });
  return packet;
}
