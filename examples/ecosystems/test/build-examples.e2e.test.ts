import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { LABELS } from '@devops-butler/core';
import { readFixtureTree, repoRoot, useEngineFixture } from '@devops-butler/test-support';
import { describe, expect, test } from 'vitest';

const run = promisify(execFile);
const BIN = `${repoRoot()}/packages/cli/bundle/bin.js`;

/** Each example and one direct dependency (with its locked version) its image must be labelled with. */
const EXAMPLES = {
  npm: ['express', '4.18.2'],
  pip: ['flask', '3.0.3'],
  maven: ['com.google.guava:guava', '33.2.1-jre'],
  go: ['github.com/gin-gonic/gin', 'v1.10.0'],
  cargo: ['serde', '1.0.203'],
  composer: ['monolog/monolog', '3.7.0'],
} as const;

async function butlerBuild(dir: string, repo: string, stateDir: string) {
  const { stdout } = await run(
    process.execPath,
    [BIN, 'build', dir, '--repo', repo, '--json', '--no-cleanup'],
    { env: { ...process.env, BUTLER_STATE_DIR: stateDir } },
  );
  return JSON.parse(stdout) as {
    outcome: string;
    image: { id: string; labels: Record<string, string> };
    metadata: { dependencies: Record<string, { direct: Record<string, string> }> };
    warnings: string[];
  };
}

for (const [ecosystem, [dependency, version]] of Object.entries(EXAMPLES)) {
  describe(`examples/ecosystems/${ecosystem}`, () => {
    const fx = useEngineFixture(`eco-${ecosystem}`, ({ from }) => {
      const files = readFixtureTree(`${repoRoot()}/examples/ecosystems/${ecosystem}`);
      // The fixture's own FROM line gives this test its own layers (see useEngineFixture).
      return { ...files, Dockerfile: (files.Dockerfile as string).replace(/^FROM .*\n/, from) };
    });

    test('builds with butler build, labels the image with its dependencies, then reuses it', async () => {
      const first = await butlerBuild(fx.tree.dir, fx.repo, fx.stateDir);
      expect(first.outcome).toBe('built');
      expect(first.warnings).toEqual([]);
      expect(first.metadata.dependencies[ecosystem]?.direct[dependency]).toBe(version);
      const label = JSON.parse(first.image.labels[LABELS.dependencies] ?? '{}');
      expect(label[ecosystem].direct[dependency]).toBe(version);

      const second = await butlerBuild(fx.tree.dir, fx.repo, fx.stateDir);
      expect(second.outcome).toBe('reused');
      expect(second.image.id).toBe(first.image.id);
    });
  });
}
