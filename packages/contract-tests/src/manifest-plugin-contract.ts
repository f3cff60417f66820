import { Butler, type ButlerPlugin, toRequest } from '@devops-butler/core';
import { makeTree } from '@devops-butler/test-support';
import { describe, expect, test } from 'vitest';

async function ecosystemsFor(plugin: ButlerPlugin, files: Record<string, string>): Promise<string[]> {
  const tree = await makeTree(files);
  try {
    const butler = new Butler({ plugins: [plugin], stateDir: '' });
    return (await butler.hash(toRequest({ context: tree.dir }))).context.ecosystems;
  } finally {
    await tree.remove();
  }
}

/** What every manifest plugin must do: detect its ecosystem only from files the build really reads. */
export function describeManifestPlugin(
  ecosystem: string,
  factory: (options?: { unpinned?: 'warn' | 'ttl' | 'strict' }) => ButlerPlugin,
  manifest: string,
): void {
  describe(`${ecosystem} manifest plugin`, () => {
    test(`detects ${ecosystem} when the build copies ${manifest}`, async () => {
      const files = { Dockerfile: `FROM scratch\nCOPY ${manifest} /app/\n`, [manifest]: '' };
      expect(await ecosystemsFor(factory(), files)).toEqual([ecosystem]);
    });

    test(`ignores a ${manifest} that no COPY reaches or .dockerignore drops`, async () => {
      const unreached = { Dockerfile: 'FROM scratch\nCOPY other /app/\n', [manifest]: '', other: '' };
      expect(await ecosystemsFor(factory(), unreached)).toEqual([]);
      const ignored = {
        Dockerfile: 'FROM scratch\nCOPY . /app/\n',
        [manifest]: '',
        '.dockerignore': manifest,
      };
      expect(await ecosystemsFor(factory(), ignored)).toEqual([]);
    });

    test('rejects an unknown unpinned policy before any hook runs', () => {
      expect(() => factory({ unpinned: 'sometimes' as 'warn' })).toThrow(/unpinned must be/);
    });
  });
}
