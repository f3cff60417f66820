import { type ButlerPlugin, createManifestPlugin, type ManifestPluginOptions } from '@devops-butler/core';

/** Manifest files whose presence among the build's inputs means the image uses Cargo. */
export const CARGO_MANIFESTS = ['Cargo.toml', 'Cargo.lock'] as const;

/** The Cargo manifest plugin: Cargo.toml (workspaces, renames, git sources) with Cargo.lock. */
export function cargo(options: ManifestPluginOptions = {}): ButlerPlugin {
  return createManifestPlugin(
    {
      ecosystem: 'cargo',
      manifests: CARGO_MANIFESTS,
      heavyFolders: ['target'],
      // The parser library loads only when the build has such a manifest.
      parse: async (files) => (await import('./resolve-cargo.js')).resolveCargoDependencies(files),
      module: import.meta.url,
    },
    options,
  );
}
