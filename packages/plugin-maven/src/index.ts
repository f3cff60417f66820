import { type ButlerPlugin, createManifestPlugin, type ManifestPluginOptions } from '@devops-butler/core';
import { resolveMavenDependencies } from './resolve-maven.js';

/** Manifest files whose presence among the build's inputs means the image uses Maven. */
export const MAVEN_MANIFESTS = ['pom.xml'] as const;

/** The Maven manifest plugin: pom.xml with parents, modules, properties and dependencyManagement. */
export function maven(options: ManifestPluginOptions = {}): ButlerPlugin {
  return createManifestPlugin(
    {
      ecosystem: 'maven',
      manifests: MAVEN_MANIFESTS,
      heavyFolders: ['target'],
      parse: resolveMavenDependencies,
    },
    options,
  );
}

export { resolveMavenDependencies };
