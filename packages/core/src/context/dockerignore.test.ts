import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { createIgnoreMatcher, createPatternMatcher, parseDockerignore } from './dockerignore.js';

// Docker's own test tables (moby/patternmatcher and friends): see __fixtures__/conformance/README.md.
interface MatchCase {
  id: string;
  patterns: string[];
  path: string;
  expected: boolean;
  expected_error?: string;
  platform?: string;
}
interface ReadAllCase {
  id: string;
  input: string | null;
  expected_patterns: string[];
}
const cases = JSON.parse(
  readFileSync(new URL('../__fixtures__/conformance/dockerignore-cases.json', import.meta.url), 'utf8'),
) as { match_cases: MatchCase[]; readall_cases: ReadAllCase[] };

describe('matches paths exactly as Docker does (moby/patternmatcher cases)', () => {
  const runnable = cases.match_cases.filter((c) => !c.platform?.includes('windows-only'));
  test.each(runnable.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    if (c.expected_error) {
      expect(() => createPatternMatcher(c.patterns)('x')).toThrow(/invalid .dockerignore pattern/);
      return;
    }
    expect(createPatternMatcher(c.patterns)(c.path)).toBe(c.expected);
  });
});

describe('reads .dockerignore files as Docker does (ignorefile.ReadAll cases)', () => {
  test.each(cases.readall_cases.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    expect(parseDockerignore(c.input)).toEqual(c.expected_patterns);
  });
});

test('leaves out a folder and everything below it, but an exception re-includes one file', () => {
  const ignored = createIgnoreMatcher('node_modules\n*.log\n!keep.log\n# comment\n');
  expect(ignored('node_modules')).toBe(true);
  expect(ignored('node_modules/a/b.js')).toBe(true);
  expect(ignored('debug.log')).toBe(true);
  expect(ignored('keep.log')).toBe(false);
  expect(ignored('src/index.js')).toBe(false);
  expect(ignored('# comment')).toBe(false);
});

test('a leading slash anchors nothing extra: /foo is foo', () => {
  expect(createIgnoreMatcher('/foo')('foo/bar')).toBe(true);
});

test('a POSIX class inside brackets means what it means in Go: [[:digit:]]*.log', () => {
  const ignored = createIgnoreMatcher('[[:digit:]]*.log\n');
  expect(ignored('1-debug.log')).toBe(true);
  expect(ignored('a-debug.log')).toBe(false);
});
