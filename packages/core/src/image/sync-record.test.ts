import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
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

const recordFile = async () => {
  const [name] = (await readdir(join(state, 'context-sync'))).filter((n) => n.endsWith('.rec'));
  return join(state, 'context-sync', name as string);
};

test('a build that announces new entries appends them; what was known is not written again', async () => {
  const key = await claimSharedKey(state, '/ctx', [A1, B1]);
  const file = await recordFile();
  const before = await readFile(file, 'utf8');
  const A2 = { ...A1, stat: '33188:3:2000', sha256: 'e'.repeat(64) };
  expect(await claimSharedKey(state, '/ctx', [A2, B1])).toBe(key);
  expect(await readFile(file, 'utf8')).toBe(`${before}a.txt\0${A2.stat}\0${A2.sha256}\0`);
  // Nothing new: nothing written.
  expect(await claimSharedKey(state, '/ctx', [A2, B1])).toBe(key);
  expect((await stat(file)).size).toBe(Buffer.byteLength(before) + 5 + 1 + 12 + 1 + 64 + 1);
  // Paths may hold tabs and newlines; only NUL separates.
  const odd = { path: 'odd\tname\n.txt', stat: '33188:1:1', sha256: 'f'.repeat(64) };
  expect(await claimSharedKey(state, '/ctx', [odd])).toBe(key);
  expect(await claimSharedKey(state, '/ctx', [{ ...odd, sha256: '0'.repeat(64) }])).not.toBe(key);
});

test('a record an interrupted append tore is never trusted, wherever the tail was cut', async () => {
  const key = await claimSharedKey(state, '/ctx', [A1]);
  const file = await recordFile();
  const entry = Buffer.from(`b.txt\0${B1.stat}\0${B1.sha256}\0`);
  const withB = Buffer.concat([await readFile(file), entry]);
  // Cut inside the appended entry (cut at its start, the record is whole: the entry was never there).
  for (const cut of [1, 6, 20, 64, 65, 66, entry.length - 1]) {
    await writeFile(file, withB.subarray(0, withB.length - cut));
    const after = await claimSharedKey(state, '/ctx', [A1]);
    expect(after, `${cut} bytes cut`).not.toBe(key);
    // The new key's record is whole: trusted.
    expect(await claimSharedKey(state, '/ctx', [A1])).toBe(after);
  }
});

test("the first format's record (JSON) gives way to a new key, and its file goes", async () => {
  await claimSharedKey(state, '/ctx', [A1]);
  const rec = await recordFile();
  const json = `${rec.slice(0, -'.rec'.length)}.json`;
  await rm(rec);
  const old = 'f'.repeat(32);
  await writeFile(json, JSON.stringify({ version: 1, key: old, sent: [['a.txt', A1.stat, A1.sha256]] }));
  expect(await claimSharedKey(state, '/ctx', [A1])).not.toBe(old);
  expect(await readdir(join(state, 'context-sync'))).toEqual([rec.slice(rec.lastIndexOf('/') + 1)]);
});
