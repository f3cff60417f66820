import { type ButlerPlugin, createManifestPlugin, type ManifestPluginOptions } from '@devops-butler/core';

/** Manifest files whose presence among the build's inputs means the image uses maven. */
export const MAVEN_MANIFESTS = ['pom.xml'] as const;

/** The maven manifest plugin: detects the ecosystem from files the build really reads. */
export function maven(options: ManifestPluginOptions = {}): ButlerPlugin {
  return createManifestPlugin(
    { ecosystem: 'maven', manifests: MAVEN_MANIFESTS, heavyFolders: ['target'] },
    options,
  );
}
