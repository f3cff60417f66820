export { OWNER_LABEL, removeOwnedDanglingImages, removeRepoImages, uniqueRepo } from './docker-cleanup.js';
export { type FixtureTree, makeTree, type TreeEntry } from './fixture-tree.js';
export { repoRoot } from './repo-root.js';
