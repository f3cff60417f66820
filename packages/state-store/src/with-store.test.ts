import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { openStateStore, withStateStore } from './with-store.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

test('a store that cannot be opened never fails the command: one warning, the same words on both paths', () => {
  const dir = mkdtempSync(join(tmpdir(), 'butler-store-'));
  dirs.push(dir);
  // A file where the state folder should be: nothing can be created under it.
  const notAFolder = join(dir, 'state');
  writeFileSync(notAFolder, 'x', { mode: 0o600 });
  const warnings: string[] = [];
  expect(openStateStore(notAFolder, (m) => warnings.push(m))).toBeUndefined();
  expect(
    withStateStore(notAFolder, (store) => store.stats(), {
      fallback: [],
      onWarning: (m) => warnings.push(m),
    }),
  ).toEqual([]);
  expect(warnings).toHaveLength(2);
  for (const warning of warnings) {
    expect(warning).toMatch(
      new RegExp(`^the state store in ${notAFolder} cannot be used: .+; going on without it$`),
    );
  }
});

test('a store that opens is used and closed', () => {
  const dir = mkdtempSync(join(tmpdir(), 'butler-store-'));
  dirs.push(dir);
  const warnings: string[] = [];
  expect(
    withStateStore(dir, (store) => store.stats(), {
      fallback: undefined,
      onWarning: (m) => warnings.push(m),
    }),
  ).toEqual([]);
  const store = openStateStore(dir, (m) => warnings.push(m));
  expect(store?.stats()).toEqual([]);
  store?.close();
  expect(warnings).toEqual([]);
});
