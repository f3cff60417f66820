import { expect, test } from 'vitest';
import { unreachedByClassicWalk } from './classic-walk.js';
import { createIgnoreMatcher, parseDockerignore } from './dockerignore.js';

// What each builder sends for `*` + `!**/keep.md`: both re-include keep.md files by pattern, but
// only BuildKit's walk goes into the ignored folder b/ to find one.
const FILES = ['keep.md', 'b/keep.md', 'b/c/keep.md', 'a/other.txt'];

test('BuildKit: every file an exception re-includes is sent, wherever it is', () => {
  const ignored = createIgnoreMatcher('*\n!**/keep.md\n');
  expect(FILES.filter((f) => !ignored(f))).toEqual(['keep.md', 'b/keep.md', 'b/c/keep.md']);
});

test('classic builder: an ignored folder is entered only when an exception’s text starts with it', () => {
  expect(
    unreachedByClassicWalk(['keep.md', 'b/keep.md', 'b/c/keep.md'], parseDockerignore('*\n!**/keep.md\n')),
  ).toEqual(['b/keep.md', 'b/c/keep.md']);
  // `!b/keep.md` names the folder: the walk goes in (and finds only that file: b/c stays closed).
  expect(
    unreachedByClassicWalk(
      ['keep.md', 'b/keep.md', 'b/c/keep.md'],
      parseDockerignore('*\n!keep.md\n!b/keep.md\n!b/c/keep.md\n'),
    ),
  ).toEqual([]);
  expect(unreachedByClassicWalk(['b/keep.md'], parseDockerignore('b\n!b/keep.md\n'))).toEqual([]);
  // The ignored folder itself never arrives, not even empty: its files are unpacked into a new one.
  expect(
    unreachedByClassicWalk(['b', 'b/c', 'b/c/keep.md', 'keep.md'], parseDockerignore('*\n!**/keep.md\n')),
  ).toEqual(['b', 'b/c', 'b/c/keep.md']);
  expect(unreachedByClassicWalk(['b', 'b/keep.md'], parseDockerignore('b\n!b/keep.md\n'))).toEqual(['b']);
  // No exception: nothing under an ignored folder is in the list in the first place.
  expect(unreachedByClassicWalk(['a/x'], parseDockerignore('b\n'))).toEqual([]);
  // The Dockerfile is always sent, wherever it lies.
  expect(
    unreachedByClassicWalk(['b/Dockerfile'], parseDockerignore('*\n!**/keep.md\n'), ['b/Dockerfile']),
  ).toEqual([]);
});
