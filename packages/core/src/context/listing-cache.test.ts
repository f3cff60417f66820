import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeTree } from '@devops-butler/test-support';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { collectInputs } from './collect-inputs.js';
import { parseDockerignore } from './dockerignore.js';
import { listingRules, loadListing } from './listing-cache.js';

let tree: Awaited<ReturnType<typeof makeTree>>;
let state: string;
const IGNORE = 'docs\n';
const rules = listingRules(parseDockerignore(IGNORE), false);

beforeAll(async () => {
  tree = await makeTree({
    Dockerfile: 'FROM scratch\nCOPY . /app/\n',
    '.dockerignore': IGNORE,
    'src/a.js': 'a',
    'src/lib/b.js': 'b',
    'src/lib/c.js': 'c',
    'docs/readme.md': 'ignored',
  });
  state = mkdtempSync(join(tmpdir(), 'butler-listing-'));
  // Folders changed within the last 2 s are not trusted (their timestamp's tick may not be over),
  // and a new tree's ctimes cannot be set back: wait for them to age.
  await new Promise((resolve) => setTimeout(resolve, 2_100));
});
afterAll(async () => {
  await tree.remove();
  rmSync(state, { recursive: true, force: true });
});

/** What a walk without any state lists now. */
async function walked(): Promise<string[]> {
  return (await collectInputs({ context: tree.dir })).files;
}
const remembered = () => loadListing(state, tree.dir, rules)?.map((e) => e.path);

test('a listing is remembered, and used only while every folder it read is unchanged', async () => {
  const first = await collectInputs({ context: tree.dir, stateDir: state });
  expect(first.files).toEqual(await walked());
  expect(remembered()).toEqual(first.files);
  // Content is not listing (the stat cache checks it): the listing stays valid.
  writeFileSync(join(tree.dir, 'src/a.js'), 'a, edited');
  expect(remembered()).toEqual(first.files);
  // Inside an ignored folder the walk never read: nothing the build can use changed.
  writeFileSync(join(tree.dir, 'docs/more.md'), 'ignored too');
  expect(remembered()).toEqual(first.files);
  expect((await collectInputs({ context: tree.dir, stateDir: state })).files).toEqual(first.files);
  // Other ignore rules: another listing.
  expect(loadListing(state, tree.dir, listingRules(['src/lib'], false))).toBeUndefined();

  // A file added two folders down: the listing is not used, and the new file is listed.
  writeFileSync(join(tree.dir, 'src/lib/d.js'), 'd');
  expect(remembered()).toBeUndefined();
  const added = await collectInputs({ context: tree.dir, stateDir: state });
  expect(added.files).toContain('src/lib/d.js');
  expect(added.files).toEqual(await walked());
});

test('renames, removals and a folder turned into a file are seen', async () => {
  const check = async () => {
    expect((await collectInputs({ context: tree.dir, stateDir: state })).files).toEqual(await walked());
  };
  renameSync(join(tree.dir, 'src/lib/b.js'), join(tree.dir, 'src/lib/b2.js'));
  await check();
  rmSync(join(tree.dir, 'src/lib/c.js'));
  await check();
  rmSync(join(tree.dir, 'src/lib'), { recursive: true });
  writeFileSync(join(tree.dir, 'src/lib'), 'now a file');
  await check();
  mkdirSync(join(tree.dir, 'new/deep'), { recursive: true });
  writeFileSync(join(tree.dir, 'new/deep/e.js'), 'e');
  await check();
  expect((await walked()).filter((p) => p.startsWith('new') || p.startsWith('src'))).toEqual([
    'new',
    'new/deep',
    'new/deep/e.js',
    'src',
    'src/a.js',
    'src/lib',
  ]);
});
