import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTree, type TreeEntry } from '@devops-butler/test-support';
import { describe, expect, test } from 'vitest';
import { collectInputs } from './collect-inputs.js';

// Skaffold's Dockerfile-dependency table (see __fixtures__/conformance/README.md). Cases where
// Skaffold differs from Docker, or that need base-image metadata, are left out: Butler follows Docker.
interface SkaffoldCase {
  id: string;
  name: string;
  context_dir: string;
  dockerfile: string | null;
  dockerfile_written_to: string | null;
  dockerignore: string | null;
  dockerignore_written_to: string | null;
  workspace_files: string[];
  workspace_empty_dirs: string[];
  build_args: Record<string, string | null> | null;
  env?: Record<string, string>;
  expect_error: boolean;
  expected: string[] | null;
  tags?: string[];
}
const table = JSON.parse(
  readFileSync(
    new URL('../__fixtures__/conformance/skaffold-dependency-cases.json', import.meta.url),
    'utf8',
  ),
) as { cases: SkaffoldCase[] };
// sk-011: Skaffold lists the sources of every stage; only the stages the target needs shape the image.
const HASHES_ONLY_NEEDED_STAGES = ['sk-011'];
const NOT_DOCKER = [
  'skaffold-specific',
  'skaffold-specific?',
  'docker-divergence',
  'docker-divergence?',
  'needs-image-resolver',
];
const cases = table.cases.filter(
  (c) =>
    !c.env &&
    !HASHES_ONLY_NEEDED_STAGES.includes(c.id) &&
    !(c.tags ?? []).some((t) => NOT_DOCKER.includes(t)),
);

/** Skaffold's view of our list: regular files, folders empty on disk, the Dockerfile; never .dockerignore. */
function asSkaffoldList(listed: string[], c: SkaffoldCase, contextFiles: Set<string>): string[] {
  const emptyDirs = new Set(c.workspace_empty_dirs);
  const kept = listed.filter((f) => f !== '.dockerignore' && (contextFiles.has(f) || emptyDirs.has(f)));
  return [...new Set(['Dockerfile', ...kept])].sort();
}

describe("lists the files a build reads, as Skaffold's dependency table expects", () => {
  test.each(cases.map((c) => [`${c.id} ${c.name}`, c] as const))('%s', async (_name, c) => {
    const entries: Record<string, TreeEntry> = {};
    for (const f of c.workspace_files) entries[f] = '';
    for (const d of c.workspace_empty_dirs) entries[d] = { dir: true };
    if (c.dockerfile !== null) entries[c.dockerfile_written_to ?? 'Dockerfile'] = c.dockerfile;
    if (c.dockerignore !== null) entries[c.dockerignore_written_to ?? '.dockerignore'] = c.dockerignore;
    const tree = await makeTree(entries);
    try {
      const buildArgs = Object.fromEntries(
        Object.entries(c.build_args ?? {}).filter((e): e is [string, string] => e[1] !== null),
      );
      const run = collectInputs({ context: join(tree.dir, c.context_dir), buildArgs });
      if (c.expect_error) {
        await expect(run).rejects.toThrow();
        return;
      }
      const collected = await run;
      const prefix = c.context_dir === '.' ? '' : `${c.context_dir}/`;
      const written = [...c.workspace_files, c.dockerfile_written_to, c.dockerignore_written_to];
      const contextFiles = new Set(
        written.filter((f): f is string => !!f && f.startsWith(prefix)).map((f) => f.slice(prefix.length)),
      );
      expect(asSkaffoldList(collected.files, c, contextFiles)).toEqual(c.expected);
    } finally {
      await tree.remove();
    }
  });
});
