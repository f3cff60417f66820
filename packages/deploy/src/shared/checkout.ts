import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ButlerError, sha256Hex, stateSubdir } from '@devops-butler/core';
import { promisify } from './builtins.js';
import { ALLOWED_PROTOCOLS, type DeploySource, redact } from './git-source.js';

const run = promisify(execFile);

/** Where a deploy builds from, and the commit it is at. */
export interface Checkout {
  dir: string;
  /** The full commit hash; undefined for a local folder that is not a git checkout. */
  commit: string | undefined;
  /** A local folder with changes not committed yet (they are built; the commit does not name them). */
  dirty: boolean;
}

/**
 * Brings the checkout cache for a URL to `ref` (default: the remote's HEAD), shallowly: the first
 * deploy of a repository clones, later ones fetch into the same folder. The URL is passed on the
 * command line after `--`, never stored in the checkout's config (it may hold credentials).
 */
export async function checkout(
  source: DeploySource,
  ref: string | undefined,
  stateDir: string,
): Promise<Checkout> {
  if (ref?.startsWith('-'))
    throw new ButlerError('SOURCE_INVALID', `refusing ref "${ref}": it starts with "-"`);
  if (source.kind === 'path' && ref) {
    // Another ref of a local repository is fetched into Butler's own checkout, like a URL: the
    // user's working copy is never switched, reset or cleaned.
    const url = pathToFileURL(source.dir).href;
    return checkout({ kind: 'git', url, displayUrl: source.dir, repo: source.repo }, ref, stateDir);
  }
  if (source.kind === 'path') {
    const commit = await headCommit(source.dir);
    return { dir: source.dir, commit, dirty: commit !== undefined && (await hasChanges(source.dir)) };
  }
  // Below the private state folder: a clone of a private repository is readable by its owner only.
  const dir = stateSubdir(stateDir, 'checkouts', sha256Hex(source.displayUrl).slice(0, 16));
  if (!existsSync(join(dir, '.git'))) {
    await git(dir, ['init', '-q'], `cannot create a checkout in ${dir}`);
  }
  await git(
    dir,
    ['fetch', '-q', '--depth', '1', '--no-tags', '--', source.url, ref ?? 'HEAD'],
    ref ? `cannot fetch ref "${ref}" from ${source.displayUrl}` : `cannot fetch ${source.displayUrl}`,
  );
  await git(
    dir,
    ['checkout', '-q', '--force', '--detach', 'FETCH_HEAD'],
    `cannot check out ${ref ?? 'HEAD'}`,
  );
  await git(dir, ['clean', '-q', '-ffdx'], `cannot clean ${dir}`);
  return { dir, commit: await headCommit(dir), dirty: false };
}

/** Whether a user's folder has uncommitted changes, with none of its config's commands run. */
async function hasChanges(dir: string): Promise<boolean> {
  try {
    const args = ['status', '--porcelain', '--ignore-submodules=all'];
    const { stdout } = await run('git', ['-C', dir, ...(await inertConfig(dir)), ...args], { env: gitEnv() });
    return stdout.trim() !== '';
  } catch {
    return false;
  }
}

async function headCommit(dir: string): Promise<string | undefined> {
  try {
    return (await run('git', ['-C', dir, 'rev-parse', 'HEAD'], { env: gitEnv() })).stdout.trim();
  } catch {
    return undefined;
  }
}

/**
 * `-c` settings that keep git from running commands a folder's own config names: the fsmonitor
 * hook, hooks, and the clean/smudge filters (found by reading the config, which runs nothing).
 * A deployed folder is not Butler's: its `.git/config` may come from anywhere.
 */
async function inertConfig(dir: string): Promise<string[]> {
  const fixed = ['core.fsmonitor=false', 'core.hooksPath=/dev/null', 'core.untrackedCache=false'];
  let filters: string[] = [];
  try {
    const { stdout } = await run('git', ['-C', dir, 'config', '--name-only', '--get-regexp', '^filter\\.'], {
      env: gitEnv(),
    });
    filters = [...new Set(stdout.split('\n').map((key) => /^filter\.(.+)\.[^.]+$/.exec(key)?.[1]))].filter(
      (name): name is string => name !== undefined,
    );
  } catch {
    // No filter configured: git config exits 1.
  }
  const disabled = filters.flatMap((name) => [
    `filter.${name}.clean=`,
    `filter.${name}.smudge=`,
    `filter.${name}.process=`,
    `filter.${name}.required=false`,
  ]);
  return [...fixed, ...disabled].flatMap((setting) => ['-c', setting]);
}

async function git(dir: string, args: string[], failure: string): Promise<void> {
  try {
    await run('git', ['-C', dir, ...args], { env: gitEnv(), timeout: 10 * 60_000 });
  } catch (error) {
    const stderr = String((error as { stderr?: string }).stderr ?? '').trim();
    const last = stderr.split('\n').filter(Boolean).at(-1) ?? (error as Error).message;
    throw new ButlerError('SOURCE_UNREACHABLE', `${failure}: ${redact(last.replace(/^fatal: /, ''))}`, {
      hint: 'check the URL, the ref and your access to the repository',
    });
  }
}

/** No prompts (a deploy is not interactive), only the allowed transports, even for submodules. */
function gitEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    GIT_ALLOW_PROTOCOL: ALLOWED_PROTOCOLS.join(':'),
    GIT_TERMINAL_PROMPT: '0',
    GIT_ASKPASS: 'echo',
  };
}
