import {
  Butler,
  type ButlerPlugin,
  type Dependency,
  type EcosystemMetadata,
  type HashedContext,
  type ManifestPluginOptions,
  toRequest,
} from '@devops-butler/core';
import { makeTree, readFixtureTree } from '@devops-butler/test-support';
import { describe, expect, test } from 'vitest';

type Files = Record<string, string>;

async function hashTree(plugin: ButlerPlugin, files: Files): Promise<HashedContext> {
  const tree = await makeTree(files);
  try {
    return await new Butler({ plugins: [plugin], stateDir: '' }).hash(toRequest({ context: tree.dir }));
  } finally {
    await tree.remove();
  }
}

type Factory = (options?: ManifestPluginOptions) => ButlerPlugin;

/** What every manifest plugin must do: detect its ecosystem only from files the build really reads. */
export function describeManifestPlugin(ecosystem: string, factory: Factory, manifest: string): void {
  const ecosystemsFor = async (files: Files) => (await hashTree(factory(), files)).context.ecosystems;
  describe(`${ecosystem} manifest plugin`, () => {
    test(`detects ${ecosystem} when the build copies ${manifest}`, async () => {
      const files = { Dockerfile: `FROM scratch\nCOPY ${manifest} /app/\n`, [manifest]: '' };
      expect(await ecosystemsFor(files)).toEqual([ecosystem]);
    });

    test(`ignores a ${manifest} that no COPY reaches or .dockerignore drops`, async () => {
      const unreached = { Dockerfile: 'FROM scratch\nCOPY other /app/\n', [manifest]: '', other: '' };
      expect(await ecosystemsFor(unreached)).toEqual([]);
      const ignored = {
        Dockerfile: 'FROM scratch\nCOPY . /app/\n',
        [manifest]: '',
        '.dockerignore': manifest,
      };
      expect(await ecosystemsFor(ignored)).toEqual([]);
    });

    test('rejects an unknown unpinned policy or a bad ttl before any hook runs', () => {
      expect(() => factory({ unpinned: 'sometimes' as 'warn' })).toThrow(/unpinned must be/);
      expect(() => factory({ unpinned: 'ttl', ttl: 'soon' })).toThrow(/ttl "soon" is not a duration/);
    });
  });
}

/** An example project under examples/ and the edits that exercise a manifest plugin on it. */
export interface EcosystemCase {
  ecosystem: string;
  factory: Factory;
  /** The example project's folder. */
  dir: string;
  /** Exact versions the fixture's lockfile resolves: every direct dependency, and some transitive ones. */
  direct: Record<string, string>;
  transitive: Record<string, string>;
  /** File rewrites that change only order and whitespace. */
  reformatted: Files;
  /** File rewrites that move one dependency to another version. */
  bump: { files: Files; name: string; to: string };
  /** A project (replacing the example) whose dependencies nothing pins, and their names. */
  unpinned: { files: Files; names: string[] };
  /** A manifest or lockfile made unparseable, and the line the warning names. */
  malformed: { file: string; content: string; line: number };
}

function metadataOf(hashed: HashedContext, ecosystem: string): EcosystemMetadata {
  return hashed.context.metadata[ecosystem] as EcosystemMetadata;
}

function versions(dependencies: readonly Dependency[], direct: boolean): Record<string, string> {
  return Object.fromEntries(dependencies.filter((d) => d.direct === direct).map((d) => [d.name, d.version]));
}

/**
 * The behaviour users rely on, run against an example project: exact dependencies included, a
 * fingerprint that ignores formatting but not versions, the three unpinned policies, and malformed
 * input that warns instead of failing.
 */
export function describeEcosystem(c: EcosystemCase): void {
  const name = `butler:${c.ecosystem}`;
  const example = readFixtureTree(c.dir);
  const fingerprint = async (files: Files, plugin = c.factory()) =>
    (await hashTree(plugin, files)).inputs.contributions[name];

  describe(`${c.ecosystem}: the example project`, () => {
    test('lists the dependencies included, with the versions the lockfile resolves', async () => {
      const hashed = await hashTree(c.factory(), example);
      expect(hashed.context.ecosystems).toContain(c.ecosystem);
      const { dependencies } = metadataOf(hashed, c.ecosystem);
      expect(versions(dependencies, true)).toEqual(c.direct);
      expect(versions(dependencies, false)).toMatchObject(c.transitive);
      expect(dependencies.filter((d) => d.unpinned)).toEqual([]);
      const summary = (hashed.context.metadata.dependencies as Record<string, unknown>)[c.ecosystem];
      expect(summary).toMatchObject({ direct: c.direct, counts: { direct: Object.keys(c.direct).length } });
      expect(hashed.context.warnings).toEqual([]);
    });

    test('keeps the fingerprint when manifests are only reordered or reformatted', async () => {
      const before = await fingerprint(example);
      expect(before).toContain(Object.keys(c.direct)[0]);
      expect(await fingerprint({ ...example, ...c.reformatted })).toBe(before);
    });

    test('changes the fingerprint and names the new version when a dependency is bumped', async () => {
      const before = await fingerprint(example);
      const hashed = await hashTree(c.factory(), { ...example, ...c.bump.files });
      expect(hashed.inputs.contributions[name]).not.toBe(before);
      const bumped = metadataOf(hashed, c.ecosystem).dependencies.filter((d) => d.name === c.bump.name);
      expect(bumped.map((d) => d.version)).toContain(c.bump.to);
    });

    test('unpinned "warn" (the default) names each unpinned dependency in one warning', async () => {
      const hashed = await hashTree(c.factory(), c.unpinned.files);
      const warnings = hashed.context.warnings.filter((w) => w.includes('unpinned'));
      expect(warnings).toHaveLength(1);
      for (const dependency of c.unpinned.names) expect(warnings[0]).toContain(dependency);
    });

    test('unpinned "strict" fails the build with the list', async () => {
      const failure = hashTree(c.factory({ unpinned: 'strict' }), c.unpinned.files);
      await expect(failure).rejects.toMatchObject({ code: 'DEPENDENCIES_UNPINNED' });
      await expect(failure).rejects.toThrow(new RegExp(c.unpinned.names.join('.*')));
      // A fully pinned project builds under strict.
      await expect(hashTree(c.factory({ unpinned: 'strict' }), example)).resolves.toBeDefined();
    });

    test('unpinned "ttl" changes the hash once the period has passed, not before', async () => {
      const at = (ms: number) => c.factory({ unpinned: 'ttl', ttl: '24h', now: () => ms });
      const day = 24 * 3600e3;
      const start = 100 * day + 1000;
      const first = await fingerprint(c.unpinned.files, at(start));
      expect(await fingerprint(c.unpinned.files, at(start + 3600e3))).toBe(first);
      expect(await fingerprint(c.unpinned.files, at(start + day))).not.toBe(first);
      // Pinned projects are not expired.
      expect(await fingerprint(example, at(start + day))).toBe(await fingerprint(example, at(start)));
    });

    test('a malformed file is a warning naming its line; the build goes on with its bytes hashed', async () => {
      const hashed = await hashTree(c.factory(), { ...example, [c.malformed.file]: c.malformed.content });
      const warning = hashed.context.warnings.find((w) => w.includes('cannot parse'));
      expect(warning).toContain(`${c.malformed.file} line ${c.malformed.line}`);
      expect(hashed.inputs.files.map((f) => f.path)).toContain(c.malformed.file);
      const clean = await hashTree(c.factory(), example);
      expect(hashed.digest).not.toBe(clean.digest);
    });
  });
}

/** A TOML lockfile (`[[package]]` tables after a header) with its tables reversed and other spacing. */
export function reorderTomlLock(lock: string): string {
  const [header, ...tables] = lock.split('\n\n');
  return [header, ...tables.reverse()].join('\n\n\n').replace(/ = /g, ' =   ');
}
