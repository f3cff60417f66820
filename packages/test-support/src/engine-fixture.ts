import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { OWNER_LABEL, removeOwnedDanglingImages, removeRepoImages, uniqueRepo } from './docker-cleanup.js';
import { type FixtureTree, makeTree, type TreeEntry } from './fixture-tree.js';

/** What an e2e test against the engine gets fresh for each test. */
export interface EngineFixture {
  /** A repository name no other test uses. */
  repo: string;
  /** The build context. */
  tree: FixtureTree;
  /** A state folder of its own (stat cache, locks). */
  stateDir: string;
  /** `FROM butler-test/busybox` plus the test's owner label, for the first lines of a Dockerfile. */
  from: string;
}

/**
 * Registers beforeEach/afterEach that give every test its own repository, context and state folder,
 * and afterwards remove exactly the images it made (its tags, and untagged images with its label).
 * Read the fields inside tests: they change per test.
 */
export function useEngineFixture(
  label: string,
  files: (fixture: { repo: string; from: string }) => Record<string, TreeEntry>,
): EngineFixture {
  const fixture = {} as EngineFixture;
  beforeEach(async () => {
    fixture.repo = uniqueRepo(label);
    fixture.from = `FROM butler-test/busybox:latest\nLABEL ${OWNER_LABEL}=${fixture.repo}\n`;
    fixture.stateDir = await mkdtemp(join(tmpdir(), 'butler-state-'));
    fixture.tree = await makeTree(files(fixture));
  });
  afterEach(async () => {
    await removeRepoImages(`local-registry/${fixture.repo}`);
    await removeOwnedDanglingImages(fixture.repo);
    await fixture.tree.remove();
    await rm(fixture.stateDir, { recursive: true, force: true });
  });
  return fixture;
}
