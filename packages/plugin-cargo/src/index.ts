import { type ButlerPlugin, createManifestPlugin, type ManifestPluginOptions } from '@devops-butler/core';

/** Manifest files whose presence among the build's inputs means the image uses cargo. */
export const CARGO_MANIFESTS = ['Cargo.toml', 'Cargo.lock'] as const;

/** The cargo manifest plugin: detects the ecosystem from files the build really reads. */
export function cargo(options: ManifestPluginOptions = {}): ButlerPlugin {
  return createManifestPlugin(
    { ecosystem: 'cargo', manifests: CARGO_MANIFESTS, heavyFolders: ['target'] },
    options,
  );
}
