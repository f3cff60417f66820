import { bytesOf, int64, readFields, text } from './protowire.js';

/**
 * The part of BuildKit's `control.proto` (package moby.buildkit.v1) that a build's status stream
 * carries: the Engine API sends each `StatusResponse` as base64 in a `moby.buildkit.trace` message.
 * Field numbers as BuildKit defines them; fields Butler does not show (progress groups, warning
 * source ranges) are skipped.
 */

/** google.protobuf.Timestamp */
export interface Timestamp {
  seconds: bigint;
  nanos: number;
}
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

/** Decodes one `moby.buildkit.trace` aux value (base64 protobuf) into BuildKit's status message. */
export function decodeBuildkitStatus(base64: string): BuildkitStatus {
  const status: BuildkitStatus = { vertexes: [], statuses: [], logs: [], warnings: [] };
  readFields(Buffer.from(base64, 'base64'), (field, value) => {
    const bytes = bytesOf(value);
    if (field === 1) status.vertexes.push(vertex(bytes));
    else if (field === 2) status.statuses.push(vertexStatus(bytes));
    else if (field === 3) status.logs.push(vertexLog(bytes));
    else if (field === 4) status.warnings.push(vertexWarning(bytes));
  });
  return status;
}

function vertex(bytes: Uint8Array): BuildkitVertex {
  const out: BuildkitVertex = { digest: '', inputs: [], name: '', cached: false, error: '' };
  readFields(bytes, (field, value) => {
    if (field === 1) out.digest = text(value);
    else if (field === 2) out.inputs.push(text(value));
    else if (field === 3) out.name = text(value);
    else if (field === 4) out.cached = value === 1n;
    else if (field === 5) out.started = timestamp(value);
    else if (field === 6) out.completed = timestamp(value);
    else if (field === 7) out.error = text(value);
  });
  return out;
}

function vertexStatus(bytes: Uint8Array): BuildkitVertexStatus {
  const out: BuildkitVertexStatus = { id: '', vertex: '', name: '', current: 0n, total: 0n };
  readFields(bytes, (field, value) => {
    if (field === 1) out.id = text(value);
    else if (field === 2) out.vertex = text(value);
    else if (field === 3) out.name = text(value);
    else if (field === 4) out.current = int64(value);
    else if (field === 5) out.total = int64(value);
  });
  return out;
}

function vertexLog(bytes: Uint8Array): BuildkitVertexLog {
  const out: BuildkitVertexLog = { vertex: '', stream: 0n, msg: new Uint8Array(0) };
  readFields(bytes, (field, value) => {
    if (field === 1) out.vertex = text(value);
    else if (field === 2) out.timestamp = timestamp(value);
    else if (field === 3) out.stream = int64(value);
    else if (field === 4) out.msg = bytesOf(value);
  });
  return out;
}

function vertexWarning(bytes: Uint8Array): BuildkitStatus['warnings'][number] {
  const out: BuildkitStatus['warnings'][number] = { vertex: '', level: 0n, short: new Uint8Array(0) };
  readFields(bytes, (field, value) => {
    if (field === 1) out.vertex = text(value);
    else if (field === 2) out.level = int64(value);
    else if (field === 3) out.short = bytesOf(value);
  });
  return out;
}

function timestamp(value: bigint | Uint8Array): Timestamp {
  const out: Timestamp = { seconds: 0n, nanos: 0 };
  readFields(bytesOf(value), (field, part) => {
    if (field === 1) out.seconds = int64(part);
    else if (field === 2) out.nanos = Number(int64(part));
  });
  return out;
}
