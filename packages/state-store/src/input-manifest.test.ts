import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { expect, test } from 'vitest';
import { decodeManifest, encodeManifest, type InputManifest } from './input-manifest.js';

const manifest = (files: number): InputManifest => ({
  digest: 'd'.repeat(64),
  dockerfile: 'FROM scratch\nCOPY . /\n',
  buildArgs: { A: '1' },
  target: '',
  platform: 'linux/amd64',
  images: {},
  contributions: { 'butler:npm': 'left-pad 1.3.0' },
  files: Object.fromEntries(
    Array.from({ length: files }, (_, i) => [
      `src/module-${i}/index.ts`,
      `file - ${createHash('sha256').update(String(i)).digest('hex')}`,
    ]),
  ),
  dependencies: { npm: [{ name: 'left-pad', version: '1.3.0', direct: true }] },
});

test('a manifest reads back as it was written, in much less than its JSON', () => {
  const written = manifest(2000);
  const body = encodeManifest(written);
  expect(decodeManifest(body)).toEqual(written);
  expect(body.length).toBeLessThan(JSON.stringify(written).length * 0.7);
});

test('reads the manifests earlier versions stored (gzip level 1)', () => {
  const written = manifest(50);
  expect(decodeManifest(gzipSync(JSON.stringify(written), { level: 1 }))).toEqual(written);
});
