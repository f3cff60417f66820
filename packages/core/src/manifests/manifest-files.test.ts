import { expect, test } from 'vitest';
import { lineOfError } from './manifest-files.js';

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
