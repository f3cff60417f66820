import { expect, test } from 'vitest';
import { parseRequirement } from './requirement.js';
import { parseRequirementsFile } from './requirements-file.js';

test('exact pins, ranges, extras, markers and normalised names', () => {
  expect(parseRequirement('Flask_SQLAlchemy[async]==3.1.1 ; python_version >= "3.8"')).toEqual({
    name: 'flask-sqlalchemy',
    version: '3.1.1',
  });
  expect(parseRequirement('requests >= 2.31, < 3')).toEqual({
    name: 'requests',
    version: '>=2.31,<3',
    unpinned: 'a version range',
  });
  expect(parseRequirement('django==4.2.*').unpinned).toBe('a version range');
  expect(
    parseRequirement('lib @ git+https://example.invalid/lib.git@0123456789abcdef0123456789abcdef01234567'),
  ).not.toHaveProperty('unpinned');
  expect(() => parseRequirement('flask=>3')).toThrow(/invalid version specifier/);
});

test('requirements files: continuations, comments, includes, editables, hashes', () => {
  const file = parseRequirementsFile(`# compiled
-r base.txt
--constraint constraints.txt
--index-url https://pypi.example/simple
certifi==2024.8.30 \\
    --hash=sha256:aaaa \\
    --hash=sha256:bbbb
    # via requests
urllib3>=2 --hash=sha256:cccc
-e git+https://example.invalid/tool.git@v1.2#egg=Tool_Kit
-e ./local-package
requests  # the HTTP client
`);
  expect(file.includes).toEqual(['base.txt']);
  expect(file.constraints).toEqual(['constraints.txt']);
  expect(file.requirements).toEqual([
    { name: 'certifi', version: '2024.8.30' },
    { name: 'urllib3', version: '>=2' },
    {
      name: 'tool-kit',
      version: 'git+https://example.invalid/tool.git@v1.2#egg=Tool_Kit',
      unpinned: 'the branch or tag "v1.2"',
    },
    { name: 'requests', version: '*', unpinned: 'no version given' },
  ]);
});
