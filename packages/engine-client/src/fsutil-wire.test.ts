import { create, createFileRegistry, type DescMessage, fromBinary, toBinary } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema } from '@bufbuild/protobuf/wkt';
import { expect, test } from 'vitest';
import {
  dataPacketHead,
  decodePacket,
  encodePacket,
  goFileMode,
  PACKET_DATA,
  PACKET_FIN,
  PACKET_REQ,
  PACKET_STAT,
} from './fsutil-wire.js';
import { message, scalar, Type } from './proto-descriptor.fixture.js';

// fsutil's types/wire.proto and types/stat.proto, as protoc describes them: the hand-written
// encoder must agree with a real protobuf implementation on every field.
const FSUTIL = create(FileDescriptorProtoSchema, {
  name: 'fsutil.proto',
  package: 'fsutil.types',
  syntax: 'proto3',
  messageType: [
    message('Stat', [
      scalar('path', 1, Type.STRING),
      scalar('mode', 2, Type.UINT32),
      scalar('uid', 3, Type.UINT32),
      scalar('gid', 4, Type.UINT32),
      scalar('size', 5, Type.INT64),
      scalar('modTime', 6, Type.INT64),
      scalar('linkname', 7, Type.STRING),
      scalar('devmajor', 8, Type.INT64),
      scalar('devminor', 9, Type.INT64),
    ]),
    message('Packet', [
      scalar('type', 1, Type.INT32),
      { ...scalar('stat', 2, Type.MESSAGE), typeName: '.fsutil.types.Stat' },
      scalar('ID', 3, Type.UINT32),
      scalar('data', 4, Type.BYTES),
    ]),
  ],
});
const registry = createFileRegistry(FSUTIL, () => undefined);
const Packet = registry.getMessage('fsutil.types.Packet') as DescMessage;

test('a stat packet reads back field for field, with the mode as Go os.FileMode bits', () => {
  const modTime = 1_733_312_345_123_456_789n; // beyond 2^53: nanoseconds need 64 bits
  const bytes = encodePacket({
    type: PACKET_STAT,
    stat: { path: 'src/app.js', mode: 0o100755, uid: 0, gid: 0, size: 300_000, modTime },
  });
  const decoded = fromBinary(Packet, bytes) as unknown as {
    type: number;
    stat: { path: string; mode: number; size: bigint; modTime: bigint; uid: number };
  };
  expect(decoded.type).toBe(PACKET_STAT);
  expect(decoded.stat).toMatchObject({ path: 'src/app.js', mode: 0o755, size: 300_000n, modTime, uid: 0 });

  const link = fromBinary(
    Packet,
    encodePacket({
      type: PACKET_STAT,
      stat: { path: 'l', mode: 0o120777, uid: 0, gid: 0, size: 0, modTime: 1n, linkname: 'src/app.js' },
    }),
  ) as unknown as { stat: { mode: number; linkname: string } };
  expect(link.stat).toMatchObject({ mode: 2 ** 27 + 0o777, linkname: 'src/app.js' });
});

test("POSIX modes become Go's FileMode: directory, symlink, setuid/setgid/sticky bits", () => {
  expect(goFileMode(0o040755)).toBe(2 ** 31 + 0o755);
  expect(goFileMode(0o120777)).toBe(2 ** 27 + 0o777);
  expect(goFileMode(0o100644)).toBe(0o644);
  expect(goFileMode(0o104755)).toBe(2 ** 23 + 0o755);
  expect(goFileMode(0o102755)).toBe(2 ** 22 + 0o755);
  expect(goFileMode(0o041777)).toBe(2 ** 31 + 2 ** 20 + 0o777);
});

test('the end of stats and the end of a file are packets with no stat and no data', () => {
  expect(fromBinary(Packet, encodePacket({ type: PACKET_STAT }))).toMatchObject({ type: 0, ID: 0 });
  expect(fromBinary(Packet, encodePacket({ type: PACKET_DATA, id: 7 }))).toMatchObject({ type: 2, ID: 7 });
  expect(encodePacket({ type: PACKET_STAT }).length).toBe(0);
});

test('a data packet written as a head and the chunk is one packet', () => {
  const chunk = Buffer.from('x'.repeat(300));
  const bytes = Buffer.concat([dataPacketHead(5, chunk.length), chunk]);
  const decoded = fromBinary(Packet, bytes) as unknown as { type: number; ID: number; data: Uint8Array };
  expect(decoded).toMatchObject({ type: PACKET_DATA, ID: 5 });
  expect(Buffer.from(decoded.data).equals(chunk)).toBe(true);
});

test('what BuildKit sends (a request for a file, FIN, an error) decodes', () => {
  const req = toBinary(Packet, create(Packet, { type: PACKET_REQ, ID: 300 }));
  expect(decodePacket(req)).toMatchObject({ type: PACKET_REQ, id: 300 });
  expect(decodePacket(toBinary(Packet, create(Packet, { type: PACKET_FIN })))).toMatchObject({
    type: PACKET_FIN,
  });
  const err = decodePacket(toBinary(Packet, create(Packet, { type: 4, data: Buffer.from('disk full') })));
  expect(Buffer.from(err.data ?? []).toString()).toBe('disk full');
  expect(() => decodePacket(Uint8Array.from([0x18]))).toThrow(/truncated or malformed/);
});
