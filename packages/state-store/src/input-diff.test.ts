import { expect, test } from 'vitest';
import { diffLines, diffManifests } from './input-diff.js';
import type { InputManifest } from './input-manifest.js';

const base: InputManifest = {
  digest: 'old',
  dockerfile: 'FROM node\nCOPY . /app\nRUN npm ci\n',
  buildArgs: { NODE_ENV: 'production' },
  target: '',
  platform: '',
  images: { node: 'sha256:aaa' },
  contributions: { 'butler:npm': 'express 4.18.2 direct' },
  files: {
    'server.js': 'file - 111',
    'run.sh': 'file - 222',
    'gone.txt': 'file - 333',
    link: 'symlink a',
  },
  dependencies: { npm: [{ name: 'express', version: '4.18.2', direct: true }] },
};

test('names every kind of change', () => {
  const diff = diffManifests(base, {
    ...base,
    digest: 'new',
    dockerfile: 'FROM node\nCOPY . /app\nRUN npm ci --omit=dev\n',
    buildArgs: { NODE_ENV: 'development', DEBUG: '1' },
    platform: 'linux/arm64',
    images: { node: 'sha256:bbb' },
    contributions: { 'butler:npm': 'express 4.19.0 direct', 'acme:extra': 'x' },
    files: { 'server.js': 'file - 999', 'run.sh': 'file x 222', link: 'symlink b', 'new.txt': 'file - 444' },
    dependencies: { npm: [{ name: 'express', version: '4.19.0', direct: true }] },
  });
  expect(diff).toEqual({
    same: false,
    files: {
      added: ['new.txt'],
      removed: ['gone.txt'],
      changed: [
        { path: 'link', what: 'link target a → b' },
        { path: 'run.sh', what: 'now executable' },
        { path: 'server.js', what: 'content' },
      ],
    },
    dockerfile: { removed: ['RUN npm ci'], added: ['RUN npm ci --omit=dev'] },
    buildArgs: [
      { name: 'DEBUG', to: '1' },
      { name: 'NODE_ENV', from: 'production', to: 'development' },
    ],
    settings: [{ name: 'platform', from: '', to: 'linux/arm64' }],
    images: [{ name: 'node', from: 'sha256:aaa', to: 'sha256:bbb' }],
    dependencies: [{ ecosystem: 'npm', name: 'express', from: '4.18.2', to: '4.19.0' }],
    plugins: ['acme:extra'],
  });
});

test('a whitespace-only Dockerfile change is still a change', () => {
  expect(diffLines('FROM a\nRUN x\n', 'FROM a\nRUN  x\n')).toEqual({ removed: ['RUN x'], added: ['RUN  x'] });
});
