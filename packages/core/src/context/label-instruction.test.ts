import { expect, test } from 'vitest';
import { withLabelInstruction } from './label-instruction.js';

const labels = { 'devops-butler.managed': 'true', 'devops-butler.dependencies': '{"npm":{"a":"$1"}}' };

test('one LABEL at the end of the last stage, with quotes and $ escaped', () => {
  expect(withLabelInstruction('FROM scratch\nCOPY a /a', labels)).toBe(
    'FROM scratch\nCOPY a /a\nLABEL "devops-butler.managed"="true" "devops-butler.dependencies"="{\\"npm\\":{\\"a\\":\\"\\$1\\"}}"\n',
  );
});

test('with a target, at the end of that stage, before the next FROM', () => {
  const text = 'FROM scratch AS base\nCOPY a /a\n\nFROM base AS final\nCOPY b /b\n';
  expect(withLabelInstruction(text, { k: 'v' }, 'BASE')).toBe(
    'FROM scratch AS base\nCOPY a /a\n\nLABEL "k"="v"\nFROM base AS final\nCOPY b /b\n',
  );
});

test('the escape directive decides how quotes are escaped', () => {
  expect(withLabelInstruction('# escape=`\nFROM scratch\n', { k: 'say "hi" C:\\x' })).toBe(
    '# escape=`\nFROM scratch\nLABEL "k"="say `"hi`" C:\\x"\n',
  );
});

test('gives up (labels go as build options) where appending is not safe', () => {
  expect(withLabelInstruction('FROM scratch\nRUN echo \\\n', { k: 'v' })).toBeUndefined();
  expect(withLabelInstruction('FROM scratch\n', { k: 'v' }, 'missing')).toBeUndefined();
  expect(withLabelInstruction('FROM scratch\n', { k: 'a\nb' })).toBeUndefined();
});
