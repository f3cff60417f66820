import { parseDuration } from '../kernel/duration.js';
import { ButlerError } from '../kernel/errors.js';
import type { ButlerPlugin } from '../kernel/plugin.js';
import {
  type Dependency,
  type DependencyReport,
  dependencyFingerprint,
  type ManifestProblem,
  normalizeDependencies,
  summarizeDependencies,
} from './dependencies.js';
import { findRemembered } from './finder-cache.js';
import type { ManifestFiles } from './manifest-files.js';
import { createManifestFinder } from './manifest-matcher.js';
import { parseRemembered } from './parse-cache.js';

/** What distinguishes one ecosystem from another: its name, the files that reveal it, their parser. */
export interface ManifestPluginSpec {
  /** `npm`, `pip`, ... — the plugin is named `butler:<ecosystem>`. */
  ecosystem: string;
  /**
   * File names, Go globs allowed (`requirements*.txt`), in any folder, that mean the build uses this
   * ecosystem; with a `/` (`requirements/*.txt`) the name of the folder they are in counts too.
   */
  manifests: readonly string[];
  /** Folders of this ecosystem that should not be in a build context. */
  heavyFolders?: readonly string[];
  /**
   * Reads the manifests and lockfiles the build uses into the dependencies the image includes.
   * May be async: load parser libraries lazily, every `butler` run pays for what is imported.
   */
  parse?: (files: ManifestFiles) => DependencyReport | Promise<DependencyReport>;
  /**
   * `import.meta.url` of the module that holds `parse`: its file's identity keys the remembered
   * parses in the state folder (a new build of the plugin parses afresh). Without it every run parses.
   */
  module?: string;
}

export type UnpinnedPolicy = 'warn' | 'ttl' | 'strict';

/** Options every manifest plugin takes. */
export interface ManifestPluginOptions {
  /** What to do about dependencies nothing pins (default `warn`). */
  unpinned?: UnpinnedPolicy;
  /** With `unpinned: 'ttl'`: the oldest a reused image may be (default `'24h'`). */
  ttl?: string | number;
  /** The clock the ttl bucket is read from (tests set it). */
  now?: () => number;
}

/** What a manifest plugin leaves in `context.metadata[ecosystem]` for later hooks and `--json`. */
export interface EcosystemMetadata {
  manifests: string[];
  dependencies: Dependency[];
  problems: ManifestProblem[];
}

const POLICIES: readonly string[] = ['warn', 'ttl', 'strict'];
const LISTED_UNPINNED = 5;

/**
 * Builds a manifest plugin. On `resolveContext` it detects the ecosystem only from files the build
 * really reads, parses them into dependencies included, applies the unpinned policy and warns about
 * heavy folders; on `hash` it adds the dependency fingerprint (plus a time bucket under `ttl`).
 */
export function createManifestPlugin(
  spec: ManifestPluginSpec,
  options: ManifestPluginOptions = {},
): ButlerPlugin {
  const name = `butler:${spec.ecosystem}`;
  const { policy, ttlMs } = validateOptions(spec.ecosystem, options);
  const now = options.now ?? Date.now;
  const findManifests = createManifestFinder(spec.manifests);
  const heavyFolders = spec.heavyFolders ?? [];
  // A heavy folder is in the context when an entry has its name (a name pattern matches in any folder).
  const findHeavyFolders = createManifestFinder(heavyFolders);

  return {
    name,
    apply(butler) {
      butler.hooks.resolveContext.tapPromise(name, async (context) => {
        const stateDir = butler.stateDir || undefined;
        const contextDir = context.request.context;
        // Remembered while the context's file list is the same: a hit finds nothing afresh.
        const found = findRemembered(stateDir, contextDir, context.files, spec.manifests, findManifests);
        if (found.length === 0) return context;
        // Remembered per manifest bytes: a hit with unchanged lockfiles parses nothing.
        const { report, problems } = await parseRemembered(
          {
            stateDir,
            ecosystem: spec.ecosystem,
            parserModule: spec.module,
            contextDir,
            inputs: context.files,
            found,
          },
          spec.parse,
        );
        const dependencies = normalizeDependencies(report.dependencies);
        const unpinned = dependencies.filter((d) => d.unpinned !== undefined);
        if (policy === 'strict' && unpinned.length > 0) {
          throw new ButlerError(
            'DEPENDENCIES_UNPINNED',
            `${unpinned.length} unpinned ${spec.ecosystem} ${plural(unpinned.length)}: ${listUnpinned(unpinned, unpinned.length)}`,
            { hint: 'commit a lockfile or pin exact versions, or set unpinned: "warn" or "ttl"' },
          );
        }
        const warnings = [
          ...heavyFolderWarnings(
            spec,
            findRemembered(stateDir, contextDir, context.files, heavyFolders, findHeavyFolders),
          ),
          ...problems.map((p) => problemWarning(spec.ecosystem, p)),
          ...(report.notes ?? []).map((note) => `${spec.ecosystem}: ${note}`),
        ];
        if (policy === 'warn' && unpinned.length > 0) {
          warnings.push(
            `${spec.ecosystem}: ${unpinned.length} unpinned ${plural(unpinned.length)} (${listUnpinned(unpinned, LISTED_UNPINNED)}); ` +
              `a reused image may hold older versions than a fresh build — pin them, or set unpinned: 'ttl'`,
          );
        }
        const metadata: EcosystemMetadata = { manifests: found, dependencies, problems };
        const summaries = (context.metadata.dependencies ?? {}) as Record<string, unknown>;
        return {
          ...context,
          ecosystems: [...context.ecosystems, spec.ecosystem],
          metadata: {
            ...context.metadata,
            [spec.ecosystem]: metadata,
            dependencies: { ...summaries, [spec.ecosystem]: summarizeDependencies(dependencies) },
          },
          warnings: [...context.warnings, ...warnings],
        };
      });

      butler.hooks.hash.tapPromise(name, async (inputs, context) => {
        const metadata = context.metadata[spec.ecosystem] as EcosystemMetadata | undefined;
        if (!metadata) return inputs;
        let fingerprint = dependencyFingerprint(metadata.dependencies);
        // Under ttl, unpinned dependencies expire: the same inputs hash differently in the next bucket.
        if (policy === 'ttl' && metadata.dependencies.some((d) => d.unpinned !== undefined)) {
          fingerprint += `\nttl-bucket ${ttlMs} ${Math.floor(now() / ttlMs)}`;
        }
        return { ...inputs, contributions: { ...inputs.contributions, [name]: fingerprint } };
      });
    },
  };
}

function validateOptions(ecosystem: string, options: ManifestPluginOptions) {
  const policy = options.unpinned ?? 'warn';
  if (!POLICIES.includes(policy)) {
    throw new ButlerError(
      'CONFIG_INVALID',
      `${ecosystem}(): unpinned must be "warn", "ttl" or "strict", not "${policy}"`,
    );
  }
  let ttlMs = 24 * 3600e3;
  if (options.ttl !== undefined) {
    try {
      ttlMs = parseDuration(options.ttl);
    } catch (error) {
      throw new ButlerError('CONFIG_INVALID', `${ecosystem}(): ttl ${(error as Error).message}`);
    }
    if (ttlMs <= 0) throw new ButlerError('CONFIG_INVALID', `${ecosystem}(): ttl must be longer than 0`);
  }
  return { policy, ttlMs };
}

/** One warning per heavy folder among `found` (the context entries named like one). */
function heavyFolderWarnings(spec: ManifestPluginSpec, found: readonly string[]): string[] {
  return (spec.heavyFolders ?? []).flatMap((folder) =>
    found.some((path) => path === folder || path.endsWith(`/${folder}`))
      ? [`${spec.ecosystem}: ${folder} is in the build context; add "**/${folder}" to .dockerignore`]
      : [],
  );
}

function problemWarning(ecosystem: string, problem: ManifestProblem): string {
  if (problem.unread) {
    return `${ecosystem}: ${problem.file} ${problem.message}; its dependencies are not listed`;
  }
  const where = problem.line === undefined ? problem.file : `${problem.file} line ${problem.line}`;
  return `${ecosystem}: cannot parse ${where} (${problem.message}); its bytes are hashed, its dependencies are not listed`;
}

function listUnpinned(unpinned: readonly Dependency[], max: number): string {
  const shown = unpinned.slice(0, max).map((d) => `${d.name} ${d.version} — ${d.unpinned}`);
  if (unpinned.length > max) shown.push(`and ${unpinned.length - max} more`);
  return shown.join(', ');
}

function plural(count: number): string {
  return count === 1 ? 'dependency' : 'dependencies';
}
