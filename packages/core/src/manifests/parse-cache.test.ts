import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTree, useTempDirs } from '@devops-butler/test-support';
import { expect, test } from 'vitest';
import { hashContext } from '../hashing/hash-context.js';
import { createManifestPlugin } from './manifest-plugin.js';

const tempDir = useTempDirs();

/** A manifest plugin whose parser counts its calls: `name==version` lines of deps.lock. */
function countingPlugin(calls: { count: number }) {
  return createManifestPlugin({
    ecosystem: 'demo',
    manifests: ['deps.lock'],
    module: import.meta.url,
    parse: (files) => {
      calls.count++;
      const dependencies = files.found.flatMap(
        (file) =>
          files.parse(file, (text) =>
            text
              .split('\n')
              .filter(Boolean)
              .map((line) => {
                const [name = '', version = ''] = line.split('==');
                if (!version) throw new Error(`line ${text.split('\n').indexOf(line) + 1}: no version`);
                return { name, version, direct: true };
              }),
          ) ?? [],
      );
      // Asks about a file beside it: the answer is part of what is remembered.
      if (files.has('extra.lock')) dependencies.push({ name: 'extra', version: '1', direct: true });
      return { dependencies };
    },
  });
}

/** A context of these files, a state folder, and a hash whose demo plugin counts its parses. */
async function countedHashes(files: Record<string, string>) {
  const tree = await makeTree(files);
  const state = tempDir('butler-parse-cache-');
  const calls = { count: 0 };
  const hash = () => hashContext({ context: tree.dir, stateDir: state, plugins: [countingPlugin(calls)] });
  return { tree, state, calls, hash };
}

test('an unchanged manifest is parsed once; the hash is the same whichever path made it', async () => {
  const { tree, state, calls, hash } = await countedHashes({
    Dockerfile: 'FROM scratch\nCOPY deps.lock /\n',
    'deps.lock': 'a==1\nb==2\n',
  });
  try {
    const parsed = await hash();
    const remembered = await hash();
    expect(calls.count).toBe(1);
    expect(remembered.digest).toBe(parsed.digest);
    expect(remembered.hashed.context.metadata.demo).toEqual(parsed.hashed.context.metadata.demo);
    // Without a state folder: parsed every time, same hash.
    const fresh = await hashContext({ context: tree.dir, plugins: [countingPlugin(calls)] });
    expect(fresh.digest).toBe(parsed.digest);
    expect(calls.count).toBe(2);

    // A changed manifest is parsed again, once.
    await tree.write({ 'deps.lock': 'a==1\nb==3\n' });
    const changed = await hash();
    await hash();
    expect(calls.count).toBe(3);
    expect(changed.digest).not.toBe(parsed.digest);
    expect(changed.hashed.context.metadata.demo).toMatchObject({
      dependencies: [
        expect.objectContaining({ name: 'a' }),
        expect.objectContaining({ name: 'b', version: '3' }),
      ],
    });

    // A torn or foreign cache file is ignored, never trusted.
    const [file] = readdirSync(join(state, 'manifest-cache'));
    for (const garbage of [
      '{"key":',
      JSON.stringify({ key: 'x', report: { dependencies: [{ name: 1 }] } }),
    ]) {
      writeFileSync(join(state, 'manifest-cache', file as string), garbage);
      expect((await hash()).digest).toBe(changed.digest);
    }
    expect(calls.count).toBe(5);
  } finally {
    await tree.remove();
  }
});

test('what the parse asked about the context is part of what it depends on', async () => {
  const { tree, calls, hash } = await countedHashes({
    Dockerfile: 'FROM scratch\nCOPY deps.lock /\n',
    'deps.lock': 'a==1\n',
    'extra.lock': 'x',
  });
  try {
    const without = await hash();
    // The Dockerfile now copies extra.lock too: `has` answers otherwise, so the parse runs again.
    await tree.write({ Dockerfile: 'FROM scratch\nCOPY deps.lock extra.lock /\n' });
    const withExtra = await hash();
    expect(calls.count).toBe(2);
    const names = (h: typeof without) =>
      (h.hashed.context.metadata.demo as { dependencies: { name: string }[] }).dependencies.map(
        (d) => d.name,
      );
    expect(names(without)).toEqual(['a']);
    expect(names(withExtra)).toEqual(['a', 'extra']);
  } finally {
    await tree.remove();
  }
});

test('a file list that changed but answers what the parse asked the same way keeps the parse', async () => {
  const { tree, calls, hash } = await countedHashes({
    Dockerfile: 'FROM scratch\nCOPY deps.lock /\n',
    'deps.lock': 'a==1\n',
    'notes.txt': 'x',
  });
  try {
    const before = await hash();
    // notes.txt joins the inputs; extra.lock, which the parse asked about, is still not one.
    await tree.write({ Dockerfile: 'FROM scratch\nCOPY deps.lock notes.txt /\n' });
    const after = await hash();
    expect(calls.count).toBe(1);
    expect(after.hashed.context.metadata.demo).toEqual(before.hashed.context.metadata.demo);
  } finally {
    await tree.remove();
  }
});
