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

/** Files outside engine-client that may open connections, and why none of them is to an engine. */
const NOT_AN_ENGINE: Record<string, string> = {
  'packages/deploy/src/host/health.ts': "probes the app's own published port on the engine's host",
  'packages/registry-cache/src/registry-client.ts':
    "a registry's HTTP API (distribution spec), not an engine",
};

test('only engine-client opens connections to an engine: no http, https, net, tls or fetch elsewhere', () => {
  const root = repoRoot();
  const offenders = productionFiles().filter((file) => {
    // test-support is the tests' own helper: it starts registries and asks servers as a user would.
    if (/\/packages\/(engine-client|test-support)\//.test(file)) return false;
    if (file.slice(root.length + 1) in NOT_AN_ENGINE) return false;
    const text = readFileSync(file, 'utf8');
    return /from 'node:(http|https|net|tls|http2)'|getBuiltinModule\('node:(http|https|net|tls|http2)'\)|\bfetch\(|\bundici\b/.test(
      text,
    );
  });
  expect(offenders).toEqual([]);
  // The exceptions exist (a renamed file must be renamed here too, not silently allowed).
  for (const allowed of Object.keys(NOT_AN_ENGINE))
    expect(readFileSync(join(root, allowed), 'utf8')).toBeTruthy();
});

test('Engine API paths are spelled only in engine-client', () => {
  const offenders = productionFiles().filter((file) => {
    if (file.includes('/packages/engine-client/')) return false;
    return /[`'"]\/(containers|images|networks|volumes|services|tasks|exec|build|session|system|distribution|swarm|nodes)\/[^`'"]*[`'"]/.test(
      readFileSync(file, 'utf8'),
    );
  });
  expect(offenders).toEqual([]);
});
