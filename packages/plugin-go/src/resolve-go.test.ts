import { resolveTree } from '@devops-butler/contract-tests';
import { expect, test } from 'vitest';
import { resolveGoDependencies } from './resolve-go.js';

test('go.work members are not dependencies of each other; local replacements are pinned', async () => {
  const files = {
    'go.work': 'go 1.22\nuse (\n\t./api\n\t./lib\n)\n',
    'api/go.mod':
      'module example.com/api\nrequire (\n\texample.com/lib v0.0.0\n\tgithub.com/a/b v1.0.0\n)\nreplace github.com/a/b => ../vendored/b\n',
    'api/go.sum': '',
    'lib/go.mod': 'module example.com/lib\nrequire golang.org/x/text v0.16.0\n',
    'lib/go.sum': 'golang.org/x/text v0.16.0 h1:x\n',
  };
  const report = await resolveTree(resolveGoDependencies, files);
  expect(report.dependencies).toEqual([
    { name: 'github.com/a/b', version: '../vendored/b (local)', direct: true },
    { name: 'golang.org/x/text', version: 'v0.16.0', direct: true },
  ]);
  expect(report.problems).toEqual([]);
});
