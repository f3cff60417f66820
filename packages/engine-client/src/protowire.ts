/**
 * The protobuf wire format, as much as BuildKit's session and status messages use: varints and
 * length-delimited fields. A general protobuf runtime costs ~20 ms to load and to build its
 * schemas on every BuildKit build; these messages have a handful of fields each. The tests check
 * both directions against @bufbuild/protobuf.
 */

/** Writes one message: fields in the order given (proto3: leave out what is zero or empty). */
export class ProtoWriter {
  private readonly parts: number[] = [];
  private readonly chunks: Uint8Array[] = [];

  tag(field: number, wire: 0 | 2): this {
    return this.varint(field * 8 + wire);
  }

  /** An unsigned value, or a signed 64-bit one as protobuf writes it (two's complement). */
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
    if (rest < 0n) rest += 1n << 64n;
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
    if (this.chunks.length === 0) return new Uint8Array(0);
    return this.chunks.length === 1 ? (this.chunks[0] as Uint8Array) : Buffer.concat(this.chunks);
  }

  private flushParts(): void {
    if (this.parts.length === 0) return;
    this.chunks.push(Uint8Array.from(this.parts));
    this.parts.length = 0;
  }
}

/**
 * Calls `onField` with each field of a message: a varint's value, or a length-delimited field's
 * bytes (a string, bytes, or an embedded message to read in turn). Fixed-width fields, which none
 * of these messages has, are skipped.
 */
export function readFields(
  bytes: Uint8Array,
  onField: (field: number, value: bigint | Uint8Array) => void,
): void {
  let at = 0;
  const varint = (): bigint => {
    let value = 0n;
    let shift = 0n;
    for (;;) {
      const byte = bytes[at++];
      if (byte === undefined || shift > 63n) throw new Error('a truncated or malformed protobuf message');
      value |= BigInt(byte & 0x7f) << shift;
      if (byte < 0x80) return value;
      shift += 7n;
    }
  };
  while (at < bytes.length) {
    const key = Number(varint());
    const field = key >>> 3;
    const wire = key & 7;
    if (wire === 0) onField(field, varint());
    else if (wire === 2) {
      const length = Number(varint());
      if (at + length > bytes.length) throw new Error('a truncated or malformed protobuf message');
      onField(field, bytes.subarray(at, at + length));
      at += length;
    } else if (wire === 1) at += 8;
    else if (wire === 5) at += 4;
    else throw new Error(`protobuf wire type ${wire} is not read here`);
  }
}

/** A length-delimited field read as text. */
export function text(value: bigint | Uint8Array): string {
  return typeof value === 'bigint'
    ? ''
    : Buffer.from(value.buffer, value.byteOffset, value.length).toString('utf8');
}

/** A length-delimited field as bytes (empty when the field had another type). */
export function bytesOf(value: bigint | Uint8Array): Uint8Array {
  return typeof value === 'bigint' ? new Uint8Array(0) : value;
}

/** A varint field as a bigint (0 when the field had another type). */
export function int64(value: bigint | Uint8Array): bigint {
  return typeof value === 'bigint' ? BigInt.asIntN(64, value) : 0n;
}
