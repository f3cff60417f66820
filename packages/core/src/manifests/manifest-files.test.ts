import { expect, test } from 'vitest';
import { lineOfError } from './manifest-files.js';

test('the line of a parse error, from whatever the parser reports', () => {
  expect(lineOfError({ line: 7 }, '')).toBe(7);
  expect(lineOfError({ linePos: [{ line: 3, col: 1 }] }, '')).toBe(3);
  const text = '{\n  "a": 1,\n  oops\n}';
  expect(lineOfError(new SyntaxError('Unexpected token o in JSON at position 14'), text)).toBe(3);
  expect(lineOfError(new SyntaxError('Unexpected end of JSON input'), '{\n  "a": [\n')).toBe(2);
  expect(lineOfError(new Error('no idea'), text)).toBeUndefined();
});
