import { type ButlerPlugin, createManifestPlugin, type ManifestPluginOptions } from '@devops-butler/core';

/** Manifest files whose presence among the build's inputs means the image uses composer. */
export const COMPOSER_MANIFESTS = ['composer.json', 'composer.lock'] as const;

/** The composer manifest plugin: detects the ecosystem from files the build really reads. */
export function composer(options: ManifestPluginOptions = {}): ButlerPlugin {
  return createManifestPlugin(
    { ecosystem: 'composer', manifests: COMPOSER_MANIFESTS, heavyFolders: ['vendor'] },
    options,
  );
}
