export { captureIo } from './capture-io.js';
export {
  OWNER_LABEL,
  removeOwnedDanglingImages,
  removeRepoImages,
  repoTags,
  uniqueRepo,
} from './docker-cleanup.js';
export { type EngineFixture, useEngineFixture } from './engine-fixture.js';
export { type FixtureTree, makeTree, type TreeEntry } from './fixture-tree.js';
export { httpGet } from './http-get.js';
export { generatePnpmProject } from './pnpm-lockfile.js';
export { readFixtureTree } from './read-fixture-tree.js';
export { freePort, type RegistryLab, useRegistryLab } from './registry-lab.js';
export { repoRoot } from './repo-root.js';
export { useTempDirs } from './temp-dirs.js';
