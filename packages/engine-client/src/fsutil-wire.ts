/**
 * fsutil's wire messages (github.com/tonistiigi/fsutil/types: Packet and Stat), the file sync of a
 * BuildKit session. Written by hand: four small messages' worth of protobuf, on the path of every
 * file a build sends.
 */

export const PACKET_STAT = 0;
export const PACKET_REQ = 1;
export const PACKET_DATA = 2;
export const PACKET_FIN = 3;
export const PACKET_ERR = 4;

/** One entry as fsutil describes it; `mode` is the POSIX st_mode, sent as Go's os.FileMode. */
export interface WireStat {
  path: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  /** Nanoseconds since the epoch. */
  modTime: bigint;
  linkname?: string | undefined;
}

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
  const out = new Writer();
  if (packet.type !== 0) out.tag(1, 0).varint(packet.type);
  if (packet.stat) out.tag(2, 2).bytes(encodeStat(packet.stat));
  if (packet.id) out.tag(3, 0).varint(packet.id);
  if (packet.data && packet.data.length > 0) out.tag(4, 2).bytes(packet.data);
  return out.finish();
}

/** A DATA packet's bytes without copying the chunk twice: the header, then the chunk itself. */
export function dataPacketHead(id: number, length: number): Uint8Array {
  const out = new Writer();
  out.tag(1, 0).varint(PACKET_DATA);
  if (id) out.tag(3, 0).varint(id);
  out.tag(4, 2).varint(length);
  return out.finish();
}

function encodeStat(stat: WireStat): Uint8Array {
  const out = new Writer();
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
  let at = 0;
  const varint = (): number => {
    let value = 0;
    let scale = 1;
    for (;;) {
      const byte = bytes[at++];
      if (byte === undefined) throw new Error('truncated fsutil packet');
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 128;
    }
  };
  while (at < bytes.length) {
    const key = varint();
    const field = Math.floor(key / 8);
    const wire = key & 7;
    if (wire === 0) {
      const value = varint();
      if (field === 1) packet.type = value;
      else if (field === 3) packet.id = value;
    } else if (wire === 2) {
      const length = varint();
      if (at + length > bytes.length) throw new Error('truncated fsutil packet');
      if (field === 4) packet.data = bytes.subarray(at, at + length);
      at += length;
    } else throw new Error(`unexpected wire type ${wire} in an fsutil packet`);
  }
  return packet;
}

class Writer {
  private readonly parts: number[] = [];
  private readonly chunks: Uint8Array[] = [];

  tag(field: number, wire: number): this {
    return this.varint(field * 8 + wire);
  }

  varint(value: number | bigint): this {
    if (typeof value === 'number' && value >= 0 && Number.isSafeInteger(value)) {
      let rest = value;
      while (rest >= 0x80) {
        this.parts.push((rest % 0x80) | 0x80);
        rest = Math.floor(rest / 0x80);
      }
      this.parts.push(rest);
      return this;
    }
    let rest = BigInt(value);
    if (rest < 0n) rest += 1n << 64n; // int64 as protobuf writes it: two's complement, ten bytes
    while (rest >= 0x80n) {
      this.parts.push(Number(rest & 0x7fn) | 0x80);
      rest >>= 7n;
    }
    this.parts.push(Number(rest));
    return this;
  }

  string(value: string): this {
    return this.bytes(Buffer.from(value, 'utf8'));
  }

  bytes(value: Uint8Array): this {
    this.varint(value.length);
    this.flushParts();
    this.chunks.push(value);
    return this;
  }

  finish(): Uint8Array {
    this.flushParts();
    return this.chunks.length === 1 ? (this.chunks[0] as Uint8Array) : Buffer.concat(this.chunks);
  }

  private flushParts(): void {
    if (this.parts.length === 0) return;
    this.chunks.push(Uint8Array.from(this.parts));
    this.parts.length = 0;
  }
}
