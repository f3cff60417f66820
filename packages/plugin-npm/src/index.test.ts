import { describeEcosystem, describeManifestPlugin } from '@devops-butler/contract-tests';
import { repoRoot } from '@devops-butler/test-support';
import { NPM_MANIFESTS, npm } from './index.js';

describeManifestPlugin('npm', npm, NPM_MANIFESTS[0]);

const lock = (express: string) =>
  JSON.stringify({
    lockfileVersion: 3,
    packages: {
      '': { name: 'ecosystem-npm-app' },
      'node_modules/typescript': { version: '5.9.3', dev: true },
      'node_modules/ms': { version: '2.0.0' },
      'node_modules/lodash': { version: '4.17.21' },
      'node_modules/express/node_modules/ms': { version: '2.1.3' },
      'node_modules/express': { version: express },
      'node_modules/debug': { version: '2.6.9' },
      'node_modules/body-parser': { version: '1.20.1' },
    },
  });

describeEcosystem({
  ecosystem: 'npm',
  factory: npm,
  dir: `${repoRoot()}/examples/ecosystems/npm`,
  direct: { express: '4.18.2', lodash: '4.17.21', typescript: '5.9.3' },
  transitive: { 'body-parser': '1.20.1', debug: '2.6.9' },
  reformatted: {
    'package.json':
      '{"devDependencies":{"typescript":"~5.9.0"},"dependencies":{"lodash":"4.17.21","express":"^4.18.2"},"name":"ecosystem-npm-app"}',
    'package-lock.json': lock('4.18.2'),
  },
  bump: { files: { 'package-lock.json': lock('4.19.0') }, name: 'express', to: '4.19.0' },
  unpinned: {
    files: {
      Dockerfile: 'FROM scratch\nCOPY package.json /app/\n',
      'package.json': '{"dependencies":{"left-pad":"^1.3.0","chalk":"*","lodash":"4.17.21"}}',
    },
    names: ['chalk', 'left-pad', 'lodash'],
  },
  malformed: { file: 'package-lock.json', content: '{\n  "lockfileVersion": 3,\n  "packages": {\n', line: 3 },
});
