import { type ButlerPlugin, createManifestPlugin, type ManifestPluginOptions } from '@devops-butler/core';
import { NPM_LOCKFILES, resolveNpmDependencies } from './resolve-npm.js';

/** Manifest files whose presence among the build's inputs means the image uses npm. */
export const NPM_MANIFESTS = ['package.json', ...NPM_LOCKFILES] as const;

/** The npm manifest plugin (npm, pnpm, yarn and bun lockfiles; workspaces). */
export function npm(options: ManifestPluginOptions = {}): ButlerPlugin {
  return createManifestPlugin(
    {
      ecosystem: 'npm',
      manifests: NPM_MANIFESTS,
      heavyFolders: ['node_modules'],
      parse: resolveNpmDependencies,
      module: import.meta.url,
    },
    options,
  );
}

export { resolveNpmDependencies };
