import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { useTempDirs } from '@devops-butler/test-support';
import { expect, test, vi } from 'vitest';
import { StateStore } from './state-store.js';
import { holdStateStore, openStateStore, withStateStore } from './with-store.js';

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

test("one build's uses share one connection while the store is held: opened once, at its first use, closed on release", () => {
  const dir = tempDir('butler-store-');
  const opened = vi.spyOn(StateStore, 'open');
  const closed = vi.spyOn(StateStore.prototype, 'close');
  try {
    const release = holdStateStore(dir);
    expect(opened).not.toHaveBeenCalled(); // a hit that journals opens nothing
    withStateStore(dir, (store) => store.rollbackImageIds(3), { fallback: new Set<string>() });
    withStateStore(dir, (store) => store.stats(), { fallback: [] });
    expect(opened).toHaveBeenCalledTimes(1);
    expect(closed).not.toHaveBeenCalled();
    // A hold inside the hold (a deploy's build) leaves it to the outer one.
    holdStateStore(dir)();
    expect(closed).not.toHaveBeenCalled();
    release();
    expect(closed).toHaveBeenCalledTimes(1);
    // Released: each use opens and closes again.
    withStateStore(dir, (store) => store.stats(), { fallback: [] });
    expect(opened).toHaveBeenCalledTimes(2);
    expect(closed).toHaveBeenCalledTimes(2);
  } finally {
    opened.mockRestore();
    closed.mockRestore();
  }
});

test('what the store says as it opens reaches the first use that listens, once, while it is held', () => {
  const dir = tempDir('butler-store-');
  chmodSync(dir, 0o755); // other users can read it: the store says so as it opens
  const release = holdStateStore(dir);
  try {
    // Retention's reads open it without listening; the record listens.
    withStateStore(dir, (store) => store.stats(), { fallback: [] });
    const warnings: string[] = [];
    withStateStore(dir, (store) => store.stats(), { fallback: [], onWarning: (m) => warnings.push(m) });
    withStateStore(dir, (store) => store.stats(), { fallback: [], onWarning: (m) => warnings.push(m) });
    expect(warnings).toEqual([expect.stringContaining('can be read by other users')]);
  } finally {
    release();
  }
});
