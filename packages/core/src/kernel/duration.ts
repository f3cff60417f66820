import { ButlerError } from './errors.js';

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1e3, m: 60e3, h: 3600e3, d: 86400e3 };

/** `'1h'` → 3,600,000 ms; a number is milliseconds. */
export function parseDuration(value: string | number): number {
  if (typeof value === 'number' && value >= 0) return value;
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$/.exec(String(value));
  if (!match) {
    throw new ButlerError('CONFIG_INVALID', `"${value}" is not a duration like "30s", "1h" or "7d"`, {
      hint: 'write a number with a unit: ms, s, m, h or d',
    });
  }
  return Number(match[1]) * (DURATION_UNITS[match[2] as string] as number);
}
