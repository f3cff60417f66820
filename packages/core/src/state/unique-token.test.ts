import { describe, expect, it } from 'vitest';
import { uniqueToken } from './unique-token.js';

describe('uniqueToken', () => {
  it('gives 24 hex digits, a different value on every call', () => {
    const tokens = new Set(Array.from({ length: 10_000 }, () => uniqueToken()));
    expect(tokens.size).toBe(10_000);
    for (const token of tokens) expect(token).toMatch(/^[0-9a-f]{24}$/);
  });
});
