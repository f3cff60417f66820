import { type ButlerPlugin, createManifestPlugin, type ManifestPluginOptions } from '@devops-butler/core';
import { resolveGoDependencies } from './resolve-go.js';

/** Manifest files whose presence among the build's inputs means the image uses Go modules. */
export const GO_MANIFESTS = ['go.mod', 'go.sum', 'go.work'] as const;

/** The Go manifest plugin: go.mod (requires, indirect markers, replacements), go.sum, go.work. */
export function go(options: ManifestPluginOptions = {}): ButlerPlugin {
  return createManifestPlugin(
    {
      ecosystem: 'go',
      manifests: GO_MANIFESTS,
      heavyFolders: ['vendor'],
      parse: resolveGoDependencies,
      module: import.meta.url,
    },
    options,
  );
}

export { resolveGoDependencies };
