import { expect, test } from 'vitest';
import { jsonLines, type TransferMessage, TransferProgress } from './transfer-progress.js';

// The shape of an engine's pull stream (Docker 20.10), cut into chunks that split lines.
const PULL = [
  { status: 'Pulling from team/app', id: 'abc123def456' },
  { status: 'Pulling fs layer', progressDetail: {}, id: '1111aaaa2222' },
  { status: 'Pulling fs layer', progressDetail: {}, id: '3333bbbb4444' },
  { status: 'Downloading', progressDetail: { current: 50_000_000, total: 200_000_000 }, id: '1111aaaa2222' },
  { status: 'Already exists', progressDetail: {}, id: '3333bbbb4444' },
  { status: 'Downloading', progressDetail: { current: 150_000_000, total: 200_000_000 }, id: '1111aaaa2222' },
  { status: 'Download complete', progressDetail: {}, id: '1111aaaa2222' },
  { status: 'Pull complete', progressDetail: {}, id: '1111aaaa2222' },
  { status: 'Digest: sha256:0f0f' },
];

test('a pull is counted in layers done and bytes moved, as the engine streams it', () => {
  const progress = new TransferProgress('⬇️ Pulling team/app:3f2a');
  const seen: string[] = [];
  const text = PULL.map((m) => `${JSON.stringify(m)}\n`).join('');
  const feed = jsonLines((message: TransferMessage) => {
    progress.add(message);
    seen.push(progress.text());
  });
  // Chunks of 7 bytes: lines arrive in pieces.
  for (let i = 0; i < text.length; i += 7) feed(Buffer.from(text.slice(i, i + 7)));
  expect(seen).toContain('⬇️ Pulling team/app:3f2a: 0 of 2 layers, 50.0 of 200.0 MB (25%)');
  expect(seen).toContain('⬇️ Pulling team/app:3f2a: 1 of 2 layers, 150.0 of 200.0 MB (75%)');
  expect(seen.at(-1)).toBe('⬇️ Pulling team/app:3f2a: 2 of 2 layers, 200.0 of 200.0 MB (100%)');
});

test('a push counts layers pushed and those the registry already had', () => {
  const progress = new TransferProgress('⬆️ Pushing team/app:latest');
  for (const message of [
    { status: 'Preparing', id: 'aaaa1111bbbb' },
    { status: 'Preparing', id: 'cccc2222dddd' },
    { status: 'Layer already exists', id: 'cccc2222dddd' },
    { status: 'Pushing', progressDetail: { current: 512, total: 1024 }, id: 'aaaa1111bbbb' },
  ])
    progress.add(message);
  expect(progress.text()).toBe('⬆️ Pushing team/app:latest: 1 of 2 layers, 0.0 of 0.0 MB (50%)');
});
