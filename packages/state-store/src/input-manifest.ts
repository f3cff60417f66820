import type * as Zlib from 'node:zlib';
import type { Dependency, HashInputs, InputFile } from '@devops-butler/core';

// Loaded when a manifest is written or read, not by every hit that records a decision (~3 ms).
const zlib = () => process.getBuiltinModule('node:zlib') as typeof Zlib;

/** Everything `butler why` compares: the hash inputs plus the dependencies manifest plugins found. */
export interface InputManifest {
  digest: string;
  dockerfile: string;
  buildArgs: Record<string, string>;
  target: string;
  platform: string;
  images: Record<string, string>;
  contributions: Record<string, string>;
  /** path → `file <x|-> <sha256>`, `symlink <target>` or `dir`. */
  files: Record<string, string>;
  /** ecosystem → its dependencies. */
  dependencies: Record<string, Dependency[]>;
}

/** The manifest of a hash's inputs (the Dockerfile text, not only its digest, for a readable diff). */
export function toInputManifest(
  digest: string,
  inputs: HashInputs,
  dependencies: Record<string, Dependency[]>,
): InputManifest {
  const files: Record<string, string> = {};
  for (const file of inputs.files) files[file.path] = entryText(file);
  return {
    digest,
    dockerfile: inputs.dockerfile,
    buildArgs: inputs.buildArgs,
    target: inputs.target,
    platform: inputs.platform,
    images: inputs.images,
    contributions: inputs.contributions,
    files,
    dependencies,
  };
}

/** How the manifest names one entry: `file <x|-> <sha256>`, `symlink <target>` or `dir`. */
function entryText(file: InputFile): string {
  if (file.type === 'file') return `file ${file.executable ? 'x' : '-'} ${file.sha256 ?? ''}`;
  return file.type === 'symlink' ? `symlink ${file.linkTarget ?? ''}` : 'dir';
}

/**
 * A manifest of 20,000 paths is about 2 MB of JSON; gzip keeps the database small. Huffman coding
 * only: the text is mostly hex digests, which string matching hardly shrinks further (1.05 against
 * 0.83 MB at level 1), and it runs on a build's clock (11 against 24 ms; the first hit of a fresh
 * checkout writes one). Any gunzip reads it.
 */
export function encodeManifest(manifest: InputManifest): Buffer {
  return compressManifest(JSON.stringify(manifest));
}

/**
 * The encoded manifest of a hash's inputs, written straight from them: the same document as
 * `encodeManifest(toInputManifest(...))` without a 20,000-key object built and walked first (a
 * fresh checkout's first record: 20 → 5 ms).
 */
export function encodeInputManifest(
  digest: string,
  inputs: HashInputs,
  dependencies: Record<string, Dependency[]>,
): Buffer {
  return compressManifest(inputManifestText(digest, inputs, dependencies));
}

/** The manifest's JSON text (what `encodeInputManifest` compresses): a journaled hit carries it as is. */
export function inputManifestText(
  digest: string,
  inputs: HashInputs,
  dependencies: Record<string, Dependency[]>,
): string {
  const { files: _files, ...rest } = toInputManifest(digest, { ...inputs, files: [] }, dependencies);
  const files: string[] = new Array(inputs.files.length);
  inputs.files.forEach((file, i) => {
    // A file's text (a mode letter, a hex digest) needs no escaping; a link target may.
    const text = file.type === 'symlink' ? JSON.stringify(entryText(file)) : `"${entryText(file)}"`;
    files[i] = `${JSON.stringify(file.path)}:${text}`;
  });
  const head = JSON.stringify(rest);
  return `${head.slice(0, -1)},"files":{${files.join(',')}}}`;
}

/** A manifest's JSON text as the store keeps it. */
export function compressManifest(json: string): Buffer {
  const { gzipSync, constants } = zlib();
  return gzipSync(json, { level: 1, strategy: constants.Z_HUFFMAN_ONLY });
}

export function decodeManifest(body: Uint8Array): InputManifest {
  return JSON.parse(zlib().gunzipSync(body).toString('utf8')) as InputManifest;
}
