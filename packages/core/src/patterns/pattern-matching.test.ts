import { makeTree } from '@devops-butler/test-support';
import { expect, test } from 'vitest';
import { createIgnoreMatcher } from '../context/dockerignore.js';
import { hashContext } from '../hashing/hash-context.js';
import { matchGlob } from './path-glob.js';

// Patterns come from contexts and cloned repositories: none may cost more than linear time.
// Each of these took seconds per path with the backtracking regular expressions they replaced.
const DEEP_PATHS = Array.from({ length: 3000 }, (_, i) => `${'d/'.repeat(20)}file-${i}.txt`);
const A_NAMES = Array.from({ length: 3000 }, (_, i) => `${'a'.repeat(40)}${i}`);

function timed(work: () => void): number {
  const start = performance.now();
  work();
  return performance.now() - start;
}

test('a .dockerignore line of ten **/ over 3,000 deep paths finishes in well under a second', () => {
  const ignored = createIgnoreMatcher(`${'**/'.repeat(10)}nomatch\nd/${'**/d/'.repeat(10)}x\n`);
  const elapsed = timed(() => {
    for (const path of DEEP_PATHS) expect(ignored(path)).toBe(false);
  });
  expect(elapsed).toBeLessThan(1000);
  // Still Docker's meaning: **/ spans any number of folders.
  expect(ignored(`${'d/'.repeat(20)}nomatch`)).toBe(true);
  expect(ignored(`d/${'d/'.repeat(12)}x`)).toBe(true);
});

test('a COPY glob of many stars over 3,000 long names finishes in well under a second', () => {
  const glob = '*a*a*a*a*a*a*a*ab';
  const elapsed = timed(() => {
    for (const name of A_NAMES) expect(matchGlob(glob, name)).toBe(false);
  });
  expect(elapsed).toBeLessThan(1000);
  expect(matchGlob(glob, `${'a'.repeat(40)}b`)).toBe(true);
  expect(matchGlob(glob, `${'a'.repeat(40)}/b`)).toBe(false);
});

test('an adversarial COPY source and .dockerignore in a context of 2,000 files hash in seconds, not hours', async () => {
  const files = Object.fromEntries(A_NAMES.slice(0, 2000).map((name) => [`src/${name}`, name]));
  const tree = await makeTree({
    ...files,
    Dockerfile: 'FROM scratch\nCOPY src/*a*a*a*a*a*a*a*ab /out/\nCOPY src/ /src/\n',
    '.dockerignore': `${'**/'.repeat(10)}*b*b*b*b*b*b*b*bc\n`,
  });
  try {
    const start = performance.now();
    const { inputs } = await hashContext({ context: tree.dir });
    // Reading and hashing 2,000 files is most of this; the matching itself is a few milliseconds.
    expect(performance.now() - start).toBeLessThan(5000);
    expect(inputs.files.filter((f) => f.path.startsWith('src/'))).toHaveLength(2000);
  } finally {
    await tree.remove();
  }
}, 30_000);
