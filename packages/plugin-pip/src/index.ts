import { type ButlerPlugin, createManifestPlugin, type ManifestPluginOptions } from '@devops-butler/core';

/** Manifest files whose presence among the build's inputs means the image uses pip. */
export const PIP_MANIFESTS = [
  'requirements.txt',
  'pyproject.toml',
  'poetry.lock',
  'uv.lock',
  'pdm.lock',
  'Pipfile',
  'Pipfile.lock',
  'setup.py',
  'setup.cfg',
] as const;

/** The pip manifest plugin: detects the ecosystem from files the build really reads. */
export function pip(options: ManifestPluginOptions = {}): ButlerPlugin {
  return createManifestPlugin(
    { ecosystem: 'pip', manifests: PIP_MANIFESTS, heavyFolders: ['.venv', 'venv', '__pycache__'] },
    options,
  );
}
