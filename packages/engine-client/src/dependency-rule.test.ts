import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@devops-butler/test-support';
import { expect, test } from 'vitest';

/** Every production source file of the workspace's packages, relative to the root. */
function productionFiles(): string[] {
  const root = join(repoRoot(), 'packages');
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
      entry.isDirectory() ? walk(join(dir, entry.name)) : [join(dir, entry.name)],
    );
  return readdirSync(root).flatMap((pkg) => {
    const src = join(root, pkg, 'src');
    try {
      return walk(src).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
    } catch {
      return [];
    }
  });
}

test('packages reach the engine through engine-client; only the default plugin set loads the dockerode backend', () => {
  const offenders = productionFiles().filter((file) => {
    if (/\/packages\/(backend-dockerode|default-plugins)\//.test(file)) return false;
    return /from '@devops-butler\/backend-dockerode'|import\('@devops-butler\/backend-dockerode'\)/.test(
      readFileSync(file, 'utf8'),
    );
  });
  expect(offenders).toEqual([]);
});
