import { type ButlerPlugin, createManifestPlugin, type ManifestPluginOptions } from '@devops-butler/core';

/** Manifest files whose presence among the build's inputs means the image uses Maven. */
export const MAVEN_MANIFESTS = ['pom.xml'] as const;

/** The Maven manifest plugin: pom.xml with parents, modules, properties and dependencyManagement. */
export function maven(options: ManifestPluginOptions = {}): ButlerPlugin {
  return createManifestPlugin(
    {
      ecosystem: 'maven',
      manifests: MAVEN_MANIFESTS,
      heavyFolders: ['target'],
      // The parser library loads only when the build has such a manifest.
      parse: async (files) => (await import('./resolve-maven.js')).resolveMavenDependencies(files),
      module: import.meta.url,
    },
    options,
  );
}
