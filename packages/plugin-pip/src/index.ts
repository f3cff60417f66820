import { type ButlerPlugin, createManifestPlugin, type ManifestPluginOptions } from '@devops-butler/core';
import { resolvePipDependencies } from './resolve-pip.js';

/** Manifest files (Go globs) whose presence among the build's inputs means the image uses pip. */
export const PIP_MANIFESTS = [
  'requirements.txt',
  'requirements*.txt',
  'requirements*.in',
  'requirements/*.txt',
  'requirements/*.in',
  'constraints*.txt',
  'pyproject.toml',
  'poetry.lock',
  'uv.lock',
  'pdm.lock',
  'Pipfile',
  'Pipfile.lock',
  'setup.py',
  'setup.cfg',
] as const;

/** The pip manifest plugin: requirements files, pyproject.toml with its lockfiles, Pipfile. */
export function pip(options: ManifestPluginOptions = {}): ButlerPlugin {
  return createManifestPlugin(
    {
      ecosystem: 'pip',
      manifests: PIP_MANIFESTS,
      heavyFolders: ['.venv', 'venv', '__pycache__'],
      parse: resolvePipDependencies,
      module: import.meta.url,
    },
    options,
  );
}

export { resolvePipDependencies };
