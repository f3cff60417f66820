import { type ButlerPlugin, createManifestPlugin, type ManifestPluginOptions } from '@devops-butler/core';

/** Manifest files whose presence among the build's inputs means the image uses go. */
export const GO_MANIFESTS = ['go.mod', 'go.sum', 'go.work'] as const;

/** The go manifest plugin: detects the ecosystem from files the build really reads. */
export function go(options: ManifestPluginOptions = {}): ButlerPlugin {
  return createManifestPlugin(
    { ecosystem: 'go', manifests: GO_MANIFESTS, heavyFolders: ['vendor'] },
    options,
  );
}
