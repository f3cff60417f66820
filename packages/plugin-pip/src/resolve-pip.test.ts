import { resolveTree } from '@devops-butler/contract-tests';
import { expect, test } from 'vitest';
import { resolvePipDependencies } from './resolve-pip.js';

const resolve = (files: Record<string, string>, used?: string[]) =>
  resolveTree(resolvePipDependencies, files, { ...(used ? { used } : {}), found: (p) => !p.endsWith('.py') });

test('-r includes are followed relative to the including file, once', async () => {
  const { dependencies } = await resolve({
    'requirements.txt': '-r reqs/base.txt\nflask==3.0.3\n',
    'reqs/base.txt': 'certifi==2024.8.30\n-r ../requirements.txt\n',
  });
  expect(dependencies).toEqual([
    { name: 'flask', version: '3.0.3', direct: true },
    { name: 'certifi', version: '2024.8.30', direct: true },
  ]);
});

test('an include the build does not copy is named in a note', async () => {
  const { notes } = await resolve({ 'requirements.txt': '-r base.txt\n', 'base.txt': 'x==1\n' }, [
    'requirements.txt',
  ]);
  expect(notes).toEqual([
    'requirements.txt includes base.txt, which the build does not use: its requirements are not listed',
  ]);
});

test('poetry: pyproject tool.poetry tables with poetry.lock', async () => {
  const { dependencies } = await resolve({
    'pyproject.toml': '[tool.poetry.dependencies]\npython = "^3.11"\nDjango = "^4.2"\n',
    'poetry.lock':
      '[[package]]\nname = "django"\nversion = "4.2.16"\n\n[[package]]\nname = "sqlparse"\nversion = "0.5.1"\n',
  });
  expect(dependencies).toEqual([
    { name: 'django', version: '4.2.16', direct: true },
    { name: 'sqlparse', version: '0.5.1', direct: false },
  ]);
});

test('Pipfile with Pipfile.lock; pyproject without a lockfile is unpinned', async () => {
  const pipenv = await resolve({
    Pipfile: '[packages]\nrequests = "*"\n',
    'Pipfile.lock': JSON.stringify({
      default: { requests: { version: '==2.32.3' }, idna: { version: '==3.10' } },
      develop: {},
    }),
  });
  expect(pipenv.dependencies).toEqual([
    { name: 'requests', version: '2.32.3', direct: true },
    { name: 'idna', version: '3.10', direct: false },
  ]);
  const bare = await resolve({ 'pyproject.toml': '[project]\ndependencies = ["attrs==24.2.0"]\n' });
  expect(bare.dependencies).toEqual([
    { name: 'attrs', version: '24.2.0', direct: true, unpinned: 'no lockfile' },
  ]);
});

test('requirement files only under requirements/ (a Django layout) are detected when a COPY brings them in', async () => {
  const { hashContext } = await import('@devops-butler/core');
  const { makeTree } = await import('@devops-butler/test-support');
  const { pip } = await import('./index.js');
  const tree = await makeTree({
    Dockerfile: 'FROM scratch\nCOPY requirements/ /app/requirements/\nCOPY constraints.txt /app/\n',
    'requirements/base.txt': 'django==5.0.6\n',
    'requirements/prod.txt': '-r base.txt\n-c ../constraints.txt\ngunicorn==22.0.0\n',
    'requirements/dev.in': 'pytest\n',
    'constraints.txt': 'sqlparse==0.5.0\n',
  });
  try {
    const { hashed } = await hashContext({ context: tree.dir, plugins: [pip()] });
    expect(hashed.context.ecosystems).toEqual(['pip']);
    const names = (hashed.context.metadata.pip as { dependencies: { name: string }[] }).dependencies.map(
      (d) => d.name,
    );
    expect(names).toEqual(expect.arrayContaining(['django', 'gunicorn', 'pytest']));
    expect(names).not.toContain('sqlparse'); // a constraint pins a version; it installs nothing by itself
  } finally {
    await tree.remove();
  }
});

test('a constraints file pins what requirements leave open, and lists nothing of its own', async () => {
  const { dependencies } = await resolve({
    'requirements.txt': '-c constraints.txt\ndjango\n',
    'constraints.txt': 'django==5.0.6\nsqlparse==0.5.0\n',
  });
  expect(dependencies).toEqual([{ name: 'django', version: '5.0.6', direct: true }]);
});
