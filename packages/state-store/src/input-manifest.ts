import type * as Zlib from 'node:zlib';
import type { Dependency, HashInputs } from '@devops-butler/core';

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
  for (const file of inputs.files) {
    files[file.path] =
      file.type === 'file'
        ? `file ${file.executable ? 'x' : '-'} ${file.sha256 ?? ''}`
        : file.type === 'symlink'
          ? `symlink ${file.linkTarget ?? ''}`
          : 'dir';
  }
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

/**
 * A manifest of 20,000 paths is about 2 MB of JSON; gzip keeps the database small. Level 1: the
 * digests inside hardly compress further at higher levels, and this runs on a build's clock.
 */
export function encodeManifest(manifest: InputManifest): Buffer {
  return zlib().gzipSync(JSON.stringify(manifest), { level: 1 });
}

export function decodeManifest(body: Buffer): InputManifest {
  return JSON.parse(zlib().gunzipSync(body).toString('utf8')) as InputManifest;
}
