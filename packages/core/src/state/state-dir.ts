import { mkdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { sha256Hex } from '../hashing/sha256.js';

/** `$BUTLER_STATE_DIR`, else `$XDG_STATE_HOME/devops-butler`, else `~/.local/state/devops-butler`. */
export function defaultStateDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.BUTLER_STATE_DIR) return env.BUTLER_STATE_DIR;
  const base = env.XDG_STATE_HOME || join(homedir(), '.local', 'state');
  return join(base, 'devops-butler');
}

/** Mode of every folder Butler makes in its state folder, and of the files in it: the owner's alone. */
export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/**
 * Makes the state folder readable by its owner only (it holds build-arg values, input manifests
 * and clones of private repositories). A folder that exists already is left as it is: a warning
 * is returned when other users can read it, so the user decides.
 */
export function ensureStateDir(dir: string): string | undefined {
  mkdirSync(dirname(dir), { recursive: true });
  try {
    mkdirSync(dir, { mode: PRIVATE_DIR_MODE });
    return undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const mode = statSync(dir).mode & 0o777;
  if ((mode & 0o077) === 0) return undefined;
  return `the state folder ${dir} can be read by other users (mode ${mode.toString(8)}) and holds build arguments and private clones — run: chmod 700 ${dir}`;
}

/** A folder below the state folder (`locks`, `checkouts`, …), made private like it. */
export function stateSubdir(stateDir: string, ...names: string[]): string {
  ensureStateDir(stateDir);
  const path = join(stateDir, ...names);
  mkdirSync(path, { recursive: true, mode: PRIVATE_DIR_MODE });
  return path;
}

/**
 * The file in `subdir` of the state folder that belongs to `owner` (a context folder, a Dockerfile,
 * a repository): named by the owner's digest, so any path gives a fixed-length, safe file name.
 */
export function stateFileFor(stateDir: string, subdir: string, owner: string, extension = ''): string {
  return join(stateDir, subdir, `${sha256Hex(owner).slice(0, 32)}${extension}`);
}

/**
 * Writes a file of the state folder whole or not at all (aside, then renamed over it), readable by
 * its owner only: a crash leaves the old file or the new one, never a torn one.
 */
export function writeStateFile(file: string, data: string | Uint8Array): void {
  const aside = `${file}.${process.pid}.tmp`;
  writeFileSync(aside, data, { mode: PRIVATE_FILE_MODE });
  renameSync(aside, file);
}
