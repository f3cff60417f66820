import type * as Crypto from 'node:crypto';

/**
 * sha256 for the hashes a cache hit takes: a few short strings (cache keys, the Dockerfile, a small
 * app's whole input list). Loading `node:crypto` costs ~10 ms of a ~170 ms hit (OpenSSL's set-up
 * and a dozen internal modules); hashing those strings here costs ~2.5 ms, in V8's interpreter
 * (~30 µs per 64-byte block). So input up to `IN_SCRIPT_LIMIT` bytes is hashed here until
 * something has loaded OpenSSL; anything longer (a large tree's input list, file contents), and
 * everything after, goes to OpenSSL. Both give the same digest: only where it is computed differs.
 */
const IN_SCRIPT_LIMIT = 8 * 1024;

let loaded: typeof Crypto | undefined;

/** `node:crypto`, loaded the first time something needs it rather than at start-up. */
export function nodeCrypto(): typeof Crypto {
  loaded ??= process.getBuiltinModule('node:crypto') as typeof Crypto;
  return loaded;
}

/** An incremental sha256 whose `digest()` is lowercase hex, like `createHash('sha256')`'s. */
export interface Sha256 {
  /** Adds bytes; a string is taken as UTF-8, as `Hash.update` does. */
  update(data: string | Uint8Array): Sha256;
  digest(): string;
}

/** A sha256 that stays in script while its input is short and moves to OpenSSL past the limit. */
export function createSha256(): Sha256 {
  const parts: Uint8Array[] = [];
  let size = 0;
  let native: Crypto.Hash | undefined = loaded?.createHash('sha256');
  const toNative = (): Crypto.Hash => {
    native = nodeCrypto().createHash('sha256');
    for (const part of parts) native.update(part);
    parts.length = 0;
    return native;
  };
  const digest: Sha256 = {
    update(data) {
      if (native) native.update(data);
      // A string's UTF-16 length never exceeds its UTF-8 length: a long one skips the copy.
      else if (size + data.length > IN_SCRIPT_LIMIT) toNative().update(data);
      else {
        // Copied (Buffer's slice would not copy): a caller may refill its buffer once this returns.
        const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : new Uint8Array(data);
        if (size + bytes.length > IN_SCRIPT_LIMIT) toNative().update(bytes);
        else {
          parts.push(bytes);
          size += bytes.length;
        }
      }
      return digest;
    },
    digest() {
      return native ? native.digest('hex') : sha256InScript(Buffer.concat(parts, size));
    },
  };
  return digest;
}

/** The sha256 of `data` (a string as UTF-8), lowercase hex. */
export function sha256Hex(data: string | Uint8Array): string {
  return createSha256().update(data).digest();
}

// FIPS 180-4, section 4.2.2: the first 32 bits of the fractional parts of the cube roots of the
// first 64 primes.
const K = Int32Array.from([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
  0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
  0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
  0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
  0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
  0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
  0xc67178f2,
]);
/**
 * FIPS 180-4's sha256 of `message`, in 32-bit integer arithmetic. Rotations are written out, not
 * called: this runs in V8's interpreter (a hit calls it a few times), where a call costs.
 */
export function sha256InScript(message: Uint8Array): string {
  // Padding (section 5.1.1): a 1 bit, zeros, then the length in bits as a 64-bit big-endian number.
  const blocks = new Uint8Array(Math.ceil((message.length + 9) / 64) * 64);
  blocks.set(message);
  blocks[message.length] = 0x80;
  const view = new DataView(blocks.buffer);
  view.setUint32(blocks.length - 8, Math.floor(message.length / 0x20000000));
  view.setUint32(blocks.length - 4, (message.length * 8) >>> 0);

  // Section 5.3.3: the initial hash value.
  let h0 = 0x6a09e667 | 0;
  let h1 = 0xbb67ae85 | 0;
  let h2 = 0x3c6ef372 | 0;
  let h3 = 0xa54ff53a | 0;
  let h4 = 0x510e527f | 0;
  let h5 = 0x9b05688c | 0;
  let h6 = 0x1f83d9ab | 0;
  let h7 = 0x5be0cd19 | 0;
  const w = new Int32Array(64);
  for (let offset = 0; offset < blocks.length; offset += 64) {
    // Section 6.2.2: the message schedule, then 64 rounds.
    for (let t = 0, at = offset; t < 16; t++, at += 4) {
      w[t] =
        ((blocks[at] as number) << 24) |
        ((blocks[at + 1] as number) << 16) |
        ((blocks[at + 2] as number) << 8) |
        (blocks[at + 3] as number);
    }
    for (let t = 16; t < 64; t++) {
      const x = w[t - 15] as number;
      const y = w[t - 2] as number;
      const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
      const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
      w[t] = ((w[t - 16] as number) + s0 + (w[t - 7] as number) + s1) | 0;
    }
    let a = h0;
    let b = h1;
    let c = h2;
    let d = h3;
    let e = h4;
    let f = h5;
    let g = h6;
    let h = h7;
    for (let t = 0; t < 64; t++) {
      const sum1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const choose = (e & f) ^ (~e & g);
      const t1 = (h + sum1 + choose + (K[t] as number) + (w[t] as number)) | 0;
      const sum0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const majority = (a & b) ^ (a & c) ^ (b & c);
      h = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + sum0 + majority) | 0;
    }
    h0 = (h0 + a) | 0;
    h1 = (h1 + b) | 0;
    h2 = (h2 + c) | 0;
    h3 = (h3 + d) | 0;
    h4 = (h4 + e) | 0;
    h5 = (h5 + f) | 0;
    h6 = (h6 + g) | 0;
    h7 = (h7 + h) | 0;
  }
  let hex = '';
  for (const word of [h0, h1, h2, h3, h4, h5, h6, h7]) hex += (word >>> 0).toString(16).padStart(8, '0');
  return hex;
}
