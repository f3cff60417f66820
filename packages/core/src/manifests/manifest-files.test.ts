import { expect, test } from 'vitest';
import { lineOfError, membership } from './manifest-files.js';

test('the line of a parse error, from whatever the parser reports', () => {
  expect(lineOfError({ line: 7 }, '')).toBe(7);
  expect(lineOfError({ linePos: [{ line: 3, col: 1 }] }, '')).toBe(3);
  const text = '{\n  "a": 1,\n  oops\n}';
  expect(lineOfError(new SyntaxError('Unexpected token o in JSON at position 14'), text)).toBe(3);
  expect(lineOfError(new SyntaxError('Unexpected end of JSON input'), '{\n  "a": [\n')).toBe(2);
  // Node 22+ names a line; for a truncated file, the one after its last.
  const truncated = '{\n  "a": {\n';
  expect(
    lineOfError(
      new SyntaxError("Expected property name or '}' in JSON at position 12 (line 3 column 1)"),
      truncated,
    ),
  ).toBe(2);
  try {
    JSON.parse(truncated);
  } catch (error) {
    expect(lineOfError(error, truncated)).toBe(2);
  }
  expect(lineOfError(new Error('no idea'), text)).toBeUndefined();
});

test('membership answers as a set would, before and after it builds one', () => {
  const list = Array.from({ length: 100 }, (_, i) => `src/f${i}.js`);
  const inList = membership(list);
  // More questions than it answers by scanning: the later ones go through the set.
  for (let round = 0; round < 3; round++) {
    for (const path of ['src/f0.js', 'src/f99.js', 'src/f100.js', 'src', 'f1.js', 'src/f50.js']) {
      expect(inList(path), path).toBe(list.includes(path));
    }
  }
});
