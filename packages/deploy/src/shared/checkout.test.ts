import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { useTempDirs } from '@devops-butler/test-support';
import { expect, test } from 'vitest';
import { checkout } from './checkout.js';
import { parseSource } from './git-source.js';

const tempDir = useTempDirs();

/** A bare repository with commits pushed to it, as a remote would have them. */
function bareRepository() {
  const root = tempDir('butler-git-');
  const git = (cwd: string, ...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], {
      cwd,
      encoding: 'utf8',
    }).trim();
  git(root, 'init', '-q', '--bare', '-b', 'main', 'app.git');
  const work = join(root, 'work');
  git(root, 'clone', '-q', join(root, 'app.git'), 'work');
  const commit = (content: string) => {
    writeFileSync(join(work, 'app.txt'), content);
    git(work, 'add', '.');
    git(work, 'commit', '-q', '-m', content);
    git(work, 'push', '-q', 'origin', 'HEAD:main');
    return git(work, 'rev-parse', 'HEAD');
  };
  return {
    url: `file://${join(root, 'app.git')}`,
    commit,
    git: (...args: string[]) => git(work, ...args),
    root,
  };
}

// Each test runs git several times: a second or so alone, past vitest's 5 s default when every
// package's tests run at once on two cores (seen under `turbo run test:unit`).
test('the first deploy clones, the next one fetches into the same folder, a ref picks the commit', async () => {
  const remote = bareRepository();
  const first = remote.commit('v1');
  const stateDir = join(remote.root, 'state');
  const source = parseSource(remote.url, '/');
  const a = await checkout(source, undefined, stateDir);
  expect(a.commit).toBe(first);
  expect(readFileSync(join(a.dir, 'app.txt'), 'utf8')).toBe('v1');
  const second = remote.commit('v2');
  const b = await checkout(source, undefined, stateDir);
  expect(b).toEqual({ dir: a.dir, commit: second, dirty: false });
  expect(readFileSync(join(b.dir, 'app.txt'), 'utf8')).toBe('v2');
  remote.git('tag', 'v1.0', first);
  remote.git('push', '-q', 'origin', 'v1.0');
  expect((await checkout(source, 'v1.0', stateDir)).commit).toBe(first);
  expect((await checkout(source, first, stateDir)).commit).toBe(first);
  expect((await checkout(source, 'main', stateDir)).commit).toBe(second);
  // The URL is not stored in the checkout (it could hold credentials).
  expect(readFileSync(join(a.dir, '.git', 'config'), 'utf8')).not.toContain('app.git');
}, 30_000);

test('an unknown ref or an unreachable URL is one clear line', async () => {
  const remote = bareRepository();
  remote.commit('v1');
  const stateDir = join(remote.root, 'state');
  await expect(checkout(parseSource(remote.url, '/'), 'no-such-branch', stateDir)).rejects.toThrow(
    /cannot fetch ref "no-such-branch" from file:\/\/.*app\.git: couldn't find remote ref no-such-branch/,
  );
  await expect(
    checkout(parseSource(`file://${remote.root}/missing.git`, '/'), undefined, stateDir),
  ).rejects.toThrow(/cannot fetch file:\/\/.*missing\.git: /);
  await expect(checkout(parseSource(remote.url, '/'), '--upload-pack=x', stateDir)).rejects.toThrow(
    /refusing ref/,
  );
}, 30_000);

test('a local folder’s git config runs nothing: no fsmonitor command, no clean filter', async () => {
  const remote = bareRepository();
  remote.commit('v1');
  const work = join(remote.root, 'work');
  const ran = join(remote.root, 'ran');
  remote.git('config', 'core.fsmonitor', `echo fsmonitor >> ${ran}; false`);
  remote.git('config', 'filter.evil.clean', `echo filter >> ${ran}; cat`);
  remote.git('config', 'filter.evil.required', 'true');
  writeFileSync(join(work, '.gitattributes'), '* filter=evil\n');
  writeFileSync(join(work, 'app.txt'), 'v2');
  const result = await checkout(parseSource(work, '/'), undefined, join(remote.root, 'state'));
  expect(result.dirty).toBe(true);
  expect(existsSync(ran) ? readFileSync(ran, 'utf8') : '').toBe('');
}, 30_000);

test('--ref on a local folder builds that commit without switching the user’s working copy', async () => {
  const remote = bareRepository();
  const first = remote.commit('v1');
  const second = remote.commit('v2');
  const work = join(remote.root, 'work');
  writeFileSync(join(work, 'notes.txt'), 'uncommitted work');
  const result = await checkout(parseSource(work, '/'), first, join(remote.root, 'state'));
  expect(result.commit).toBe(first);
  expect(result.dir).not.toBe(work);
  expect(readFileSync(join(result.dir, 'app.txt'), 'utf8')).toBe('v1');
  // The user's checkout: same branch, same commit, the uncommitted file still there.
  expect(remote.git('rev-parse', 'HEAD')).toBe(second);
  expect(remote.git('rev-parse', '--abbrev-ref', 'HEAD')).toBe('main');
  expect(readFileSync(join(work, 'notes.txt'), 'utf8')).toBe('uncommitted work');
}, 30_000);
