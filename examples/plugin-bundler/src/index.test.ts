import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { hashContext } from '@devops-butler/core';
import { afterEach, expect, test } from 'vitest';
import { bundler } from './index.js';

const LOCK = `GEM
  remote: https://rubygems.org/
  specs:
    mustermann (3.0.3)
      ruby2_keywords (~> 0.0.1)
    nokogiri (1.16.7-x86_64-linux)
    rack (3.1.7)
    ruby2_keywords (0.0.5)
    sinatra (4.0.0)
      mustermann (~> 3.0)
      rack (>= 3.0.0, < 4)

PLATFORMS
  x86_64-linux

DEPENDENCIES
  nokogiri (~> 1.16)
  sinatra (~> 4.0)

BUNDLED WITH
   2.5.16
`;

const trees: string[] = [];
afterEach(async () => {
  for (const dir of trees.splice(0)) await rm(dir, { recursive: true, force: true });
});

/** Hashes a throwaway project with only this plugin, the way Butler's hash hook sees it. */
async function hash(files: Record<string, string>, plugin = bundler()) {
  const dir = await mkdtemp(join(tmpdir(), 'bundler-plugin-'));
  trees.push(dir);
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
  }
  return (await hashContext({ context: dir, plugins: [plugin] })).hashed;
}

const project = {
  Dockerfile: 'FROM scratch\nCOPY Gemfile Gemfile.lock /app/\n',
  Gemfile: 'source "https://rubygems.org"\ngem "sinatra", "~> 4.0"\ngem "nokogiri", "~> 1.16"\n',
  'Gemfile.lock': LOCK,
};

test('lists the gems Gemfile.lock resolves, direct ones from DEPENDENCIES', async () => {
  const { context } = await hash(project);
  expect(context.ecosystems).toEqual(['bundler']);
  expect(context.metadata.dependencies).toEqual({
    bundler: {
      direct: { nokogiri: '1.16.7', sinatra: '4.0.0' },
      counts: { direct: 2, transitive: 3, unpinned: 0 },
    },
  });
});

test('a gem bump changes the hash contribution; reordering the lockfile does not', async () => {
  const before = (await hash(project)).inputs.contributions['butler:bundler'];
  const reordered = LOCK.replace('    rack (3.1.7)\n', '').replace(
    '    mustermann (3.0.3)',
    '    rack (3.1.7)\n    mustermann (3.0.3)',
  );
  expect((await hash({ ...project, 'Gemfile.lock': reordered })).inputs.contributions['butler:bundler']).toBe(
    before,
  );
  const bumped = LOCK.replace('rack (3.1.7)', 'rack (3.1.8)');
  expect(
    (await hash({ ...project, 'Gemfile.lock': bumped })).inputs.contributions['butler:bundler'],
  ).not.toBe(before);
});

test('without a Gemfile.lock the gems are unpinned; strict fails the build', async () => {
  const loose = { Dockerfile: 'FROM scratch\nCOPY Gemfile /app/\n', Gemfile: project.Gemfile };
  const { context } = await hash(loose);
  expect(context.warnings.join('\n')).toMatch(/2 unpinned dependencies \(nokogiri ~> 1.16 — no Gemfile.lock/);
  await expect(hash(loose, bundler({ unpinned: 'strict' }))).rejects.toThrow(/unpinned bundler dependencies/);
});

test('a broken Gemfile.lock is a warning with its line, not a failure', async () => {
  const { context } = await hash({ ...project, 'Gemfile.lock': 'GEM\n  specs:\n    rack 3.1.7)\n' });
  expect(context.warnings).toEqual([expect.stringContaining('cannot parse Gemfile.lock line 3')]);
});
