import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { ButlerError, repoNameFrom } from '@devops-butler/core';

/** A repository to clone, or a folder to build in place. */
export type DeploySource =
  | { kind: 'git'; url: string; displayUrl: string; repo: string }
  | { kind: 'path'; dir: string; repo: string };

/** The only transports git may use for a deploy (also enforced through GIT_ALLOW_PROTOCOL). */
export const ALLOWED_PROTOCOLS = ['https', 'ssh', 'git', 'file'] as const;

/**
 * Reads `source`: an https/ssh/git/file URL, an scp-like `user@host:path`, or a local folder.
 * Refuses what git could run as code or read as an option: a leading `-`, `ext::`-style
 * transports, and any other scheme.
 */
export function parseSource(source: string, cwd: string): DeploySource {
  if (source.startsWith('-')) throw refused(source, 'it starts with "-", which git would read as an option');
  if (/^[a-z][a-z0-9+.-]*::/i.test(source))
    throw refused(source, 'remote helper transports (like ext::) can run commands');
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(source)?.[1]?.toLowerCase();
  if (scheme !== undefined) {
    const transport = scheme === 'git+ssh' || scheme === 'ssh+git' ? 'ssh' : scheme;
    if (!(ALLOWED_PROTOCOLS as readonly string[]).includes(transport)) {
      throw refused(source, `only ${ALLOWED_PROTOCOLS.join(', ')} URLs are allowed`);
    }
    return { kind: 'git', url: source, displayUrl: withoutCredentials(source), repo: repoOf(source) };
  }
  const local = resolve(cwd, source);
  if (existsSync(local)) {
    if (!statSync(local).isDirectory())
      throw refused(source, 'it is a file, not a folder or a repository URL');
    return { kind: 'path', dir: local, repo: repoNameFrom(local) };
  }
  if (/^[\w.-]+@[\w.-]+:[^/\\]/.test(source) || /^[\w.-]+:[\w.~-][^\s]*$/.test(source)) {
    return { kind: 'git', url: source, displayUrl: source, repo: repoOf(source) };
  }
  throw new ButlerError('SOURCE_INVALID', `no folder or repository URL "${source}"`, {
    hint: 'give a git URL (https://, ssh://, git://, file://) or an existing folder',
  });
}

/** The URL without user and password: what logs, labels and the state store may hold. */
export function withoutCredentials(url: string): string {
  try {
    const parsed = new URL(url);
    if (!parsed.username && !parsed.password) return url;
    parsed.username = '';
    parsed.password = '';
    return parsed.toString();
  } catch {
    return url.replace(/\/\/[^/@]*@/, '//');
  }
}

/**
 * Replaces every `user:password@` and `token@` of a URL in a text (git's error messages repeat the
 * URL it was given). A user name alone is hidden too: for many hosts it is the token.
 */
export function redact(text: string): string {
  return text.replace(/(\/\/)[^/@\s]+@/g, '$1***@');
}

/** `https://host/user/wanderlust-analysis.git` → `wanderlust-analysis`. */
function repoOf(url: string): string {
  const path = url.replace(/[?#].*$/, '').replace(/\/+$/, '');
  return repoNameFrom(path.split(/[/:]/).pop() ?? 'app');
}

function refused(source: string, why: string): ButlerError {
  return new ButlerError('SOURCE_INVALID', `refusing "${redact(source)}": ${why}`, {
    hint: `use an ${ALLOWED_PROTOCOLS.join(', ')} URL or a local folder`,
  });
}
