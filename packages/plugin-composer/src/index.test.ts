import { readFileSync } from 'node:fs';
import { describeEcosystem, describeManifestPlugin } from '@devops-butler/contract-tests';
import { repoRoot } from '@devops-butler/test-support';
import { COMPOSER_MANIFESTS, composer } from './index.js';

describeManifestPlugin('composer', composer, COMPOSER_MANIFESTS[0]);

const dir = `${repoRoot()}/examples/ecosystems/composer`;
const lock = readFileSync(`${dir}/composer.lock`, 'utf8');
const reorderedLock = () => {
  const json = JSON.parse(lock) as { packages: unknown[] };
  return JSON.stringify({ ...json, packages: [...json.packages].reverse() }, null, 8);
};

describeEcosystem({
  ecosystem: 'composer',
  factory: composer,
  dir,
  direct: { 'guzzlehttp/guzzle': '7.9.2', 'monolog/monolog': '3.7.0', 'phpunit/phpunit': '11.2.8' },
  transitive: { 'guzzlehttp/promises': '2.0.3', 'psr/log': '3.0.1' },
  reformatted: {
    'composer.json':
      '{"require-dev":{"phpunit/phpunit":"^11.2"},"require":{"guzzlehttp/guzzle":"^7.9","monolog/monolog":"^3.7","ext-json":"*","php":">=8.2"},"name":"butler/ecosystem-composer-app"}',
    'composer.lock': reorderedLock(),
  },
  bump: {
    files: { 'composer.lock': lock.replace('"version": "3.7.0"', '"version": "3.8.0"') },
    name: 'monolog/monolog',
    to: '3.8.0',
  },
  unpinned: {
    files: {
      Dockerfile: 'FROM scratch\nCOPY composer.json /app/\n',
      'composer.json': '{"require":{"php":">=8.2","symfony/console":"^7.1","acme/tools":"dev-main"}}',
    },
    names: ['acme/tools', 'symfony/console'],
  },
  malformed: {
    file: 'composer.json',
    content: '{\n  "require": {\n    "monolog/monolog": "^3.7",\n  }\n}\n',
    line: 4,
  },
});
