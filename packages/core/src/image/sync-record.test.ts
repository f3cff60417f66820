import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { claimSharedKey } from './sync-record.js';

let state: string;
beforeEach(async () => {
  state = await mkdtemp(join(tmpdir(), 'butler-state-'));
});
afterEach(() => rm(state, { recursive: true, force: true }));

const A1 = { path: 'a.txt', stat: '33188:2:1000', sha256: 'a'.repeat(64) };
const B1 = { path: 'b.txt', stat: '33188:2:1000', sha256: 'b'.repeat(64) };

test('new files and new stats keep the key; a known stat with another digest replaces it', async () => {
  const key = await claimSharedKey(state, '/ctx', [A1]);
  expect(await claimSharedKey(state, '/ctx', [A1, B1])).toBe(key);
  // a.txt edited: a new stat, new bytes — BuildKit will ask for it.
  expect(await claimSharedKey(state, '/ctx', [{ ...A1, stat: '33188:2:2000', sha256: 'c'.repeat(64) }])).toBe(
    key,
  );
  // a.txt back at its first stat with bytes that are neither: BuildKit could keep its old copy.
  const next = await claimSharedKey(state, '/ctx', [{ ...A1, sha256: 'd'.repeat(64) }]);
  expect(next).not.toBe(key);
  // Each folder has its own record.
  expect(await claimSharedKey(state, '/other', [A1])).not.toBe(next);
});

test('an unreadable record, or a file without a digest, never reuses a key', async () => {
  const key = await claimSharedKey(state, '/ctx', [A1]);
  const [record] = await readdir(join(state, 'context-sync'));
  await writeFile(join(state, 'context-sync', record as string), '{"version":1,"key":');
  const after = await claimSharedKey(state, '/ctx', [A1]);
  expect(after).not.toBe(key);
  expect(await claimSharedKey(state, '/ctx', [{ ...B1, sha256: '' }])).not.toBe(after);
  expect(await claimSharedKey(state, '/ctx', [A1])).toBe(after);
});
