import { type ButlerPlugin, createManifestPlugin, type ManifestPluginOptions } from '@devops-butler/core';
import { resolveComposerDependencies } from './resolve-composer.js';

/** Manifest files whose presence among the build's inputs means the image uses composer. */
export const COMPOSER_MANIFESTS = ['composer.json', 'composer.lock'] as const;

/** The composer manifest plugin: composer.json with composer.lock. */
export function composer(options: ManifestPluginOptions = {}): ButlerPlugin {
  return createManifestPlugin(
    {
      ecosystem: 'composer',
      manifests: COMPOSER_MANIFESTS,
      heavyFolders: ['vendor'],
      parse: resolveComposerDependencies,
      module: import.meta.url,
    },
    options,
  );
}

export { resolveComposerDependencies };
