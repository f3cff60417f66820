import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { sha256Hex } from '../hashing/sha256.js';

// What Butler remembers between runs in the state folder (the Dockerfile analysis, the manifest
// plugins' finds and parses) is keyed by the code that computed it and by what it was computed from.

/** A module's build: its file and when it was written (a rebuild or an upgrade changes it). */
export function moduleIdentity(moduleUrl: string): string | undefined {
  try {
    return `${moduleUrl}:${statSync(fileURLToPath(moduleUrl)).mtimeMs}`;
  } catch {
    return undefined;
  }
}

/**
 * Digests of file lists, made once per list per process (every plugin asks about the same list);
 * with its length, so a list a plugin appended to in place is digested again.
 */
const listDigests = new WeakMap<readonly string[], { length: number; digest: string }>();

/** The sha256 of a context file list (NUL-separated: no path holds one). */
export function fileListDigest(files: readonly string[]): string {
  const known = listDigests.get(files);
  if (known?.length === files.length) return known.digest;
  const digest = sha256Hex(files.join('\0'));
  listDigests.set(files, { length: files.length, digest });
  return digest;
}
