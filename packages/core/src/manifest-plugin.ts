import { basename } from 'node:path';
import { ButlerError } from './errors.js';
import type { ButlerPlugin } from './plugin.js';

/** What distinguishes one ecosystem from another: its name and the files that reveal it. */
export interface ManifestPluginSpec {
  /** `npm`, `pip`, ... — the plugin is named `butler:<ecosystem>`. */
  ecosystem: string;
  /** File names (any folder) that mean the build uses this ecosystem. */
  manifests: readonly string[];
  /** Folders of this ecosystem that should not be in a build context. */
  heavyFolders?: readonly string[];
}

/** Options every manifest plugin takes. */
export interface ManifestPluginOptions {
  /** What to do about dependencies a lockfile does not pin (default `warn`). */
  unpinned?: 'warn' | 'ttl' | 'strict';
}

const POLICIES = ['warn', 'ttl', 'strict'];

/**
 * Builds a manifest plugin: on `resolveContext` it detects the ecosystem only from files the build
 * really reads (not ones .dockerignore drops or no COPY reaches) and warns about heavy folders.
 */
export function createManifestPlugin(
  spec: ManifestPluginSpec,
  options: ManifestPluginOptions = {},
): ButlerPlugin {
  const name = `butler:${spec.ecosystem}`;
  const unpinned = options.unpinned ?? 'warn';
  if (!POLICIES.includes(unpinned)) {
    throw new ButlerError(
      'CONFIG_INVALID',
      `${spec.ecosystem}(): unpinned must be "warn", "ttl" or "strict", not "${unpinned}"`,
    );
  }
  const manifests = new Set(spec.manifests);
  return {
    name,
    apply(butler) {
      butler.hooks.resolveContext.tapPromise(name, async (context) => {
        const found = context.files.filter((path) => manifests.has(basename(path)));
        if (found.length === 0) return context;
        const heavy = (spec.heavyFolders ?? []).flatMap((folder) =>
          context.files.some((path) => path === folder || path.endsWith(`/${folder}`))
            ? [`${folder} is in the build context; add "**/${folder}" to .dockerignore`]
            : [],
        );
        return {
          ...context,
          ecosystems: [...context.ecosystems, spec.ecosystem],
          metadata: { ...context.metadata, [spec.ecosystem]: { manifests: found } },
          warnings: [...context.warnings, ...heavy],
        };
      });
    },
  };
}
