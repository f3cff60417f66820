import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { uniqueToken } from './unique-token.js';

describe('uniqueToken', () => {
  it('gives 24 hex digits, a different value on every call', () => {
    const tokens = new Set(Array.from({ length: 10_000 }, () => uniqueToken()));
    expect(tokens.size).toBe(10_000);
    for (const token of tokens) expect(token).toMatch(/^[0-9a-f]{24}$/);
  });

  it('starts from another value in every process (a lock taken by two butlers at once)', () => {
    // Node 24 runs this TypeScript file as it is (its types stripped).
    const module = fileURLToPath(new URL('./unique-token.ts', import.meta.url));
    const script = `import { uniqueToken } from ${JSON.stringify(module)}; console.log(uniqueToken());`;
    const firsts = Array.from({ length: 4 }, () =>
      execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }).trim(),
    );
    expect(new Set(firsts).size).toBe(4);
    for (const token of firsts) expect(token).toMatch(/^[0-9a-f]{24}$/);
  });
});
