import {
  create,
  createFileRegistry,
  type DescMessage,
  fromBinary,
  type Message,
  type MessageShape,
} from '@bufbuild/protobuf';
import {
  FileDescriptorProtoSchema,
  file_google_protobuf_timestamp,
  type Timestamp,
} from '@bufbuild/protobuf/wkt';
import { Label, message, repeated, scalar, Type, timestamp } from './proto-descriptor.js';

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

export interface BuildkitVertex {
  digest: string;
  inputs: string[];
  name: string;
  cached: boolean;
  started?: Timestamp;
  completed?: Timestamp;
  error: string;
}
export interface BuildkitVertexLog {
  vertex: string;
  timestamp?: Timestamp;
  stream: bigint;
  msg: Uint8Array;
}
export interface BuildkitVertexStatus {
  id: string;
  vertex: string;
  name: string;
  current: bigint;
  total: bigint;
}
export interface BuildkitStatus {
  vertexes: BuildkitVertex[];
  statuses: BuildkitVertexStatus[];
  logs: BuildkitVertexLog[];
  warnings: { vertex: string; level: bigint; short: Uint8Array }[];
}

let statusSchema: DescMessage | undefined;

/** Decodes one `moby.buildkit.trace` aux value (base64 protobuf) into BuildKit's status message. */
export function decodeBuildkitStatus(base64: string): BuildkitStatus {
  statusSchema ??= createFileRegistry(CONTROL_PROTO, (name) =>
    name === 'google/protobuf/timestamp.proto' ? file_google_protobuf_timestamp : undefined,
  ).getMessage('moby.buildkit.v1.StatusResponse');
  if (!statusSchema) throw new Error('BuildKit status schema missing');
  const decoded: MessageShape<DescMessage> & Message = fromBinary(
    statusSchema,
    Buffer.from(base64, 'base64'),
  );
  return decoded as unknown as BuildkitStatus;
}
