import { readFileSync } from 'node:fs';
import { describeEcosystem, describeManifestPlugin, reorderTomlLock } from '@devops-butler/contract-tests';
import { repoRoot } from '@devops-butler/test-support';
import { PIP_MANIFESTS, pip } from './index.js';

describeManifestPlugin('pip', pip, PIP_MANIFESTS[0]);

const dir = `${repoRoot()}/examples/ecosystems/pip`;
const lock = readFileSync(`${dir}/uv.lock`, 'utf8');

describeEcosystem({
  ecosystem: 'pip',
  factory: pip,
  dir,
  direct: { flask: '3.0.3', requests: '2.32.3', pytest: '8.3.3' },
  transitive: { werkzeug: '3.0.4', certifi: '2024.8.30' },
  reformatted: {
    'pyproject.toml':
      '[dependency-groups]\ndev = [ "pytest >= 8" ]\n\n[project]\nname="ecosystem-pip-app"\nversion="1.0.0"\ndependencies=["Requests ~= 2.31","Flask>=3.0"]\n',
    'uv.lock': reorderTomlLock(lock),
  },
  bump: {
    files: { 'uv.lock': lock.replace('version = "3.0.3"', 'version = "3.1.0"') },
    name: 'flask',
    to: '3.1.0',
  },
  unpinned: {
    files: {
      Dockerfile: 'FROM scratch\nCOPY requirements.txt /app/\n',
      'requirements.txt':
        'flask>=3.0\nrequests\ngit+https://example.invalid/lib.git@main#egg=corelib\nattrs==24.2.0\n',
    },
    names: ['corelib', 'flask', 'requests'],
  },
  malformed: { file: 'uv.lock', content: 'version = 1\n\n[[package]]\nname = "flask\n', line: 4 },
});
