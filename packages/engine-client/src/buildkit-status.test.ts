import { readFileSync } from 'node:fs';
import { create, createFileRegistry, type DescMessage, fromBinary } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema, file_google_protobuf_timestamp } from '@bufbuild/protobuf/wkt';
import { expect, test } from 'vitest';
import { decodeBuildkitStatus } from './buildkit-status.js';
import { Label, message, repeated, scalar, Type, timestamp } from './proto-descriptor.fixture.js';

// BuildKit's control.proto (the status messages), as protoc describes it: the hand-written decoder
// must read what a real protobuf implementation reads from recorded builds.
/**
 * The part of BuildKit's `control.proto` (package moby.buildkit.v1) that a build's status stream
 * carries: the Engine API sends each `StatusResponse` as base64 in a `moby.buildkit.trace` message.
 * Field numbers as BuildKit defines them; fields Butler does not show (progress groups, warning
 * source ranges) are left out and skipped by the decoder as unknown fields.
 */
const CONTROL_PROTO = create(FileDescriptorProtoSchema, {
  name: 'moby/buildkit/control.proto',
  package: 'moby.buildkit.v1',
  syntax: 'proto3',
  dependency: ['google/protobuf/timestamp.proto'],
  messageType: [
    message('StatusResponse', [
      repeated('vertexes', 1, '.moby.buildkit.v1.Vertex'),
      repeated('statuses', 2, '.moby.buildkit.v1.VertexStatus'),
      repeated('logs', 3, '.moby.buildkit.v1.VertexLog'),
      repeated('warnings', 4, '.moby.buildkit.v1.VertexWarning'),
    ]),
    message('Vertex', [
      scalar('digest', 1, Type.STRING),
      { ...scalar('inputs', 2, Type.STRING), label: Label.REPEATED },
      scalar('name', 3, Type.STRING),
      scalar('cached', 4, Type.BOOL),
      timestamp('started', 5),
      timestamp('completed', 6),
      scalar('error', 7, Type.STRING),
    ]),
    message('VertexStatus', [
      scalar('id', 1, Type.STRING),
      scalar('vertex', 2, Type.STRING),
      scalar('name', 3, Type.STRING),
      scalar('current', 4, Type.INT64),
      scalar('total', 5, Type.INT64),
      timestamp('timestamp', 6),
      timestamp('started', 7),
      timestamp('completed', 8),
    ]),
    message('VertexLog', [
      scalar('vertex', 1, Type.STRING),
      timestamp('timestamp', 2),
      scalar('stream', 3, Type.INT64),
      scalar('msg', 4, Type.BYTES),
    ]),
    message('VertexWarning', [
      scalar('vertex', 1, Type.STRING),
      scalar('level', 2, Type.INT64),
      scalar('short', 3, Type.BYTES),
    ]),
  ],
});
const StatusResponse = createFileRegistry(CONTROL_PROTO, (name) =>
  name === 'google/protobuf/timestamp.proto' ? file_google_protobuf_timestamp : undefined,
).getMessage('moby.buildkit.v1.StatusResponse') as DescMessage;

/** Both decodings in one comparable shape (bytes as text, 64-bit numbers as decimal strings). */
const plain = (value: unknown): unknown =>
  JSON.parse(
    JSON.stringify(value, (_key, v) =>
      typeof v === 'bigint' ? String(v) : v instanceof Uint8Array ? Buffer.from(v).toString('base64') : v,
    ),
  );

test('every status of three recorded builds decodes as @bufbuild/protobuf decodes it', () => {
  let compared = 0;
  for (const name of ['buildkit-built', 'buildkit-cached', 'buildkit-failed']) {
    const text = readFileSync(new URL(`./__fixtures__/${name}.jsonl`, import.meta.url), 'utf8');
    for (const line of text.split('\n').filter(Boolean)) {
      const { id, aux } = JSON.parse(line) as { id?: string; aux?: string };
      if (id !== 'moby.buildkit.trace' || typeof aux !== 'string') continue;
      const reference = fromBinary(StatusResponse, Buffer.from(aux, 'base64'));
      const ours = decodeBuildkitStatus(aux);
      const ref = reference as unknown as Record<'vertexes' | 'statuses' | 'logs' | 'warnings', object[]>;
      // The fields Butler's type names (a status's own timestamps are not shown, nor read).
      const statusFields = ['id', 'vertex', 'name', 'current', 'total'];
      expect(plain(ours)).toEqual(
        plain({
          vertexes: ref.vertexes.map((m) => strip(m)),
          statuses: ref.statuses.map((m) => strip(m, statusFields)),
          logs: ref.logs.map((m) => strip(m)),
          warnings: ref.warnings.map((m) => strip(m, ['vertex', 'level', 'short'])),
        }),
      );
      compared++;
    }
  }
  expect(compared).toBeGreaterThan(10);
});

/** protobuf-es's message minus its type name (and fields not kept), timestamps as plain { seconds, nanos }. */
function strip(message: object, keep?: string[]): object {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(message)) {
    if (key === '$typeName' || (keep && !keep.includes(key))) continue;
    out[key] =
      value && typeof value === 'object' && '$typeName' in value
        ? { seconds: (value as { seconds: bigint }).seconds, nanos: (value as { nanos: number }).nanos }
        : value;
  }
  return out;
}
