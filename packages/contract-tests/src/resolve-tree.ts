import {
  createManifestFiles,
  type DependencyReport,
  type ManifestFiles,
  type ManifestProblem,
} from '@devops-butler/core';
import { makeTree } from '@devops-butler/test-support';

/**
 * Runs a manifest plugin's parse function over a throwaway tree, as the plugin would see it:
 * `used` are the build's inputs (default: every file), `found` its manifests among them.
 */
export async function resolveTree(
  resolve: (files: ManifestFiles) => DependencyReport | Promise<DependencyReport>,
  files: Record<string, string>,
  options: { used?: string[]; found?: (path: string) => boolean } = {},
): Promise<DependencyReport & { problems: ManifestProblem[] }> {
  const tree = await makeTree(files);
  try {
    const problems: ManifestProblem[] = [];
    const used = options.used ?? Object.keys(files);
    const found = used.filter(options.found ?? (() => true)).sort();
    const report = await resolve(createManifestFiles(tree.dir, used, found, problems));
    return { ...report, problems };
  } finally {
    await tree.remove();
  }
}
