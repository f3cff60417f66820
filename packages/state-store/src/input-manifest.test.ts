import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { HashInputs } from '@devops-butler/core';
import { expect, test } from 'vitest';
import {
  decodeManifest,
  encodeInputManifest,
  encodeManifest,
  type InputManifest,
  toInputManifest,
} from './input-manifest.js';

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

test('the manifest written straight from the inputs reads back as the one made from them', () => {
  const inputs: HashInputs = {
    dockerfile: 'FROM scratch\nCOPY . /\n',
    files: [
      { path: '42', type: 'file', executable: false, size: 1, sha256: 'a'.repeat(64) },
      { path: 'bin/run "quoted"\\name', type: 'file', executable: true, size: 2, sha256: 'b'.repeat(64) },
      { path: 'link', type: 'symlink', executable: false, size: 0, linkTarget: '../"up"\n' },
      { path: 'src', type: 'dir', executable: false, size: 0 },
      { path: 'ünïcode/ファイル', type: 'file', executable: false, size: 3, sha256: 'c'.repeat(64) },
    ],
    buildArgs: { A: '1' },
    target: 'app',
    platform: 'linux/amd64',
    images: { node: 'sha256:1' },
    contributions: { 'butler:npm': 'left-pad 1.3.0' },
    builder: 'buildkit',
  };
  const dependencies = { npm: [{ name: 'left-pad', version: '1.3.0', direct: true }] };
  const expected = toInputManifest('d'.repeat(64), inputs, dependencies);
  expect(decodeManifest(encodeInputManifest('d'.repeat(64), inputs, dependencies))).toEqual(expected);
  expect(Object.keys(expected.files)).toHaveLength(5);
});
