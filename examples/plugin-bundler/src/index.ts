import {
  type ButlerPlugin,
  createManifestPlugin,
  type Dependency,
  type DependencyReport,
  type ManifestFiles,
  type ManifestPluginOptions,
} from '@devops-butler/core';
import { declaredGems, parseGemfileLock } from './gemfile-lock.js';

/** Files that mean the image uses Bundler (Gemfile/Gemfile.lock, or gems.rb/gems.locked). */
export const BUNDLER_MANIFESTS = ['Gemfile', 'Gemfile.lock', 'gems.rb', 'gems.locked'] as const;

const LOCKFILE_OF: Record<string, string> = { Gemfile: 'Gemfile.lock', 'gems.rb': 'gems.locked' };

/** Reads every Gemfile the build uses, with its lockfile when the build uses that too. */
export function resolveBundlerDependencies(files: ManifestFiles): DependencyReport {
  const dependencies: Dependency[] = [];
  for (const path of files.found) {
    const name = path.split('/').at(-1) as string;
    const lockName = LOCKFILE_OF[name];
    if (!lockName) continue;
    const lockfile = files.sibling(path, lockName);
    if (files.has(lockfile)) {
      dependencies.push(...(files.parse(lockfile, parseGemfileLock) ?? []));
      continue;
    }
    for (const [gem, requirement] of files.parse(path, declaredGems) ?? []) {
      dependencies.push({ name: gem, version: requirement, direct: true, unpinned: `no ${lockName}` });
    }
  }
  return { dependencies };
}

/** The Bundler plugin: `plugins: [bundler({ unpinned: 'strict' })]` in butler.config.ts. */
export function bundler(options: ManifestPluginOptions = {}): ButlerPlugin {
  return createManifestPlugin(
    {
      ecosystem: 'bundler',
      manifests: BUNDLER_MANIFESTS,
      heavyFolders: ['vendor/bundle', '.bundle'],
      parse: resolveBundlerDependencies,
      module: import.meta.url,
    },
    options,
  );
}
