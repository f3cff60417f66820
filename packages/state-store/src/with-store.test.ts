import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { useTempDirs } from '@devops-butler/test-support';
import { expect, test } from 'vitest';
import { openStateStore, withStateStore } from './with-store.js';

const tempDir = useTempDirs();

test('a store that cannot be opened never fails the command: one warning, the same words on both paths', () => {
  const dir = tempDir('butler-store-');
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
  const dir = tempDir('butler-store-');
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
