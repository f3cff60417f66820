import { type ButlerPlugin, createManifestPlugin, type ManifestPluginOptions } from '@devops-butler/core';

/** Manifest files whose presence among the build's inputs means the image uses npm. */
export const NPM_MANIFESTS = [
  'package.json',
  'package-lock.json',
  'npm-shrinkwrap.json',
  'pnpm-lock.yaml',
  'yarn.lock',
  'bun.lock',
  'bun.lockb',
] as const;

/** The npm manifest plugin: detects the ecosystem from files the build really reads. */
export function npm(options: ManifestPluginOptions = {}): ButlerPlugin {
  return createManifestPlugin(
    { ecosystem: 'npm', manifests: NPM_MANIFESTS, heavyFolders: ['node_modules'] },
    options,
  );
}
