import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { sha256InScript } from './sha256.js';

/** A fresh copy of the module: one that has not loaded OpenSSL yet, as at a hit's start. */
async function fresh(): Promise<typeof import('./sha256.js')> {
  vi.resetModules();
  return import('./sha256.js');
}

const openssl = (data: string | Uint8Array): string => createHash('sha256').update(data).digest('hex');

describe('sha256 without node:crypto', () => {
  it('gives FIPS 180-4 example digests', () => {
    expect(sha256InScript(new Uint8Array())).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
    expect(sha256InScript(Buffer.from('abc'))).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    expect(sha256InScript(Buffer.from('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'))).toBe(
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    );
  });

  it("matches OpenSSL at every length around a block's padding edges", () => {
    for (let length = 0; length <= 300; length++) {
      const bytes = randomBytes(length);
      expect(sha256InScript(bytes), `length ${length}`).toBe(openssl(bytes));
    }
  });

  it('hashes a string as UTF-8, as Hash.update does', async () => {
    const { sha256Hex } = await fresh();
    const text = 'päth/ü\u0000名前 😀 "quoted"\n';
    expect(sha256Hex(text)).toBe(openssl(text));
  });

  it('gives the same digest however the input is split, on either side of the limit', async () => {
    for (const size of [0, 1, 1000, 8 * 1024 - 1, 8 * 1024, 8 * 1024 + 1, 70_000]) {
      const { createSha256, sha256Hex } = await fresh();
      const bytes = randomBytes(size);
      const whole = openssl(bytes);
      expect(sha256Hex(bytes), `one piece of ${size}`).toBe(whole);
      const pieces = createSha256();
      for (let at = 0; at < size; at += 777) pieces.update(bytes.subarray(at, at + 777));
      expect(pieces.digest(), `pieces of ${size}`).toBe(whole);
      const asText = bytes.toString('latin1');
      expect(sha256Hex(asText), `text of ${size}`).toBe(openssl(asText));
    }
  });

  it('keeps what it was given when the caller refills its buffer', async () => {
    const { createSha256 } = await fresh();
    const buffer = Buffer.from('first');
    const digest = createSha256().update(buffer);
    buffer.write('xxxxx');
    expect(digest.digest()).toBe(openssl('first'));
  });

  it('moves to OpenSSL past the limit with the bytes already taken', async () => {
    const { createSha256 } = await fresh();
    const head = 'a'.repeat(5_000);
    const tail = 'é'.repeat(2_000); // 4,000 bytes as UTF-8, 2,000 characters
    expect(createSha256().update(head).update(tail).digest()).toBe(openssl(head + tail));
  });

  it('hashes with OpenSSL once something has loaded it, with the same digests', async () => {
    const { createSha256, nodeCrypto, sha256Hex } = await fresh();
    const before = sha256Hex('key');
    const spy = vi.spyOn(nodeCrypto(), 'createHash');
    expect(sha256Hex('key')).toBe(before);
    expect(createSha256().update('k').update('ey').digest()).toBe(before);
    expect(spy).toHaveBeenCalledTimes(2);
    spy.mockRestore();
  });
});
