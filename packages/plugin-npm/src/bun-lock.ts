import { type ParseError, parse as parseJsonc, printParseErrorCode } from 'jsonc-parser';
import type { LockedPackage } from './package-lock.js';

/** bun.lock (text, JSON with trailing commas): `packages` maps an install path to `[name@version, ...]`. */
export function parseBunLock(text: string, declared: ReadonlySet<string>): LockedPackage[] {
  const errors: ParseError[] = [];
  const lock = parseJsonc(text, errors, { allowTrailingComma: true }) as {
    packages?: Record<string, unknown[]>;
  };
  const error = errors[0];
  if (error) throw new Error(`${printParseErrorCode(error.error)} at position ${error.offset}`);
  const locked: LockedPackage[] = [];
  for (const [path, entry] of Object.entries(lock.packages ?? {})) {
    const id = String(entry[0] ?? '');
    const at = id.lastIndexOf('@');
    if (at <= 0) continue;
    const name = id.slice(0, at);
    const version = id.slice(at + 1);
    if (/^(workspace|link|file):/.test(version)) continue;
    locked.push({ name, version, direct: path === name && declared.has(name) });
  }
  return locked;
}
