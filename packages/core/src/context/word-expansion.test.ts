import { expect, test } from 'vitest';
import { expandWord } from './word-expansion.js';

const vars = new Map([
  ['SRC', 'src'],
  ['EMPTY', ''],
]);

test('expands $VAR and ${VAR} and removes quotes', () => {
  expect(expandWord('$SRC/${SRC}/"a b"', vars)).toEqual({ value: 'src/src/a b', unknown: [] });
});

test('applies ${VAR:-default}, ${VAR-default}, ${VAR:+alt} like Docker', () => {
  expect(expandWord('${MISSING:-lib}', vars).value).toBe('lib');
  expect(expandWord('${EMPTY:-lib}', vars).value).toBe('lib');
  expect(expandWord('${EMPTY-lib}', vars).value).toBe('');
  expect(expandWord('${SRC:+alt}', vars).value).toBe('alt');
  expect(expandWord('${MISSING:+alt}', vars).value).toBe('');
});

test('reports variables it could not expand', () => {
  expect(expandWord('$NOPE/x', vars)).toEqual({ value: '/x', unknown: ['NOPE'] });
});

test('single quotes and the escape character keep $ literal', () => {
  expect(expandWord("'$SRC'", vars).value).toBe('$SRC');
  expect(expandWord('\\$SRC', vars).value).toBe('$SRC');
  expect(expandWord('`$SRC', vars, '`').value).toBe('$SRC');
});
