import { expect, test } from 'vitest';
import { parseGoMod, parseGoSum, parseGoWork } from './go-modules.js';

test('go.mod: quoted paths, comments, single and block requires, versioned replacements', () => {
  const mod = parseGoMod(`// leading comment
module "example.com/m" // the module

require "github.com/a/b" v1.2.3
require (
\tgithub.com/c/d v0.1.0 // indirect; needed by a
)
replace github.com/a/b v1.2.3 => ../b
`);
  expect(mod).toEqual({
    module: 'example.com/m',
    requires: [
      { path: 'github.com/a/b', version: 'v1.2.3', indirect: false },
      { path: 'github.com/c/d', version: 'v0.1.0', indirect: true },
    ],
    replaces: [{ path: 'github.com/a/b', version: 'v1.2.3', newPath: '../b' }],
  });
});

test('syntax errors name their line', () => {
  expect(() => parseGoMod('module m\nrequire a\n')).toThrow(/line 2/);
  expect(() => parseGoMod('module m\nrequire "a v1\n')).toThrow(/unterminated string \(line 2\)/);
  expect(() => parseGoSum('a v1 h1:x\nbroken\n')).toThrow(/line 2/);
});

test('go.work lists the modules it uses', () => {
  expect(parseGoWork('go 1.22\n\nuse (\n\t./api\n\t./lib\n)\n').uses).toEqual(['./api', './lib']);
});
