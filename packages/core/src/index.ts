export {
  Butler,
  type ButlerEvent,
  type ButlerOptions,
  createButler,
  type RunOptions,
} from './butler.js';
export { type CollectedInputs, type CollectInputsOptions, collectInputs } from './collect-inputs.js';
export { CONFIG_FILES, configFileIn } from './config-files.js';
export { type ContextTar, type ContextTarOptions, contextTarFor, createContextTar } from './context-tar.js';
export {
  type Dependency,
  type DependencyReport,
  type DependencySummary,
  dependencyFingerprint,
  type ManifestProblem,
  normalizeDependencies,
  notInLockfile,
  summarizeDependencies,
} from './dependencies.js';
export { analyzeDockerfile, type DockerfileAnalysis } from './dockerfile-analysis.js';
export { createIgnoreMatcher, createPatternMatcher, parseDockerignore } from './dockerignore.js';
export { parseDuration } from './duration.js';
export { type EngineImageInspect, imageInfoFromInspect, imageMatchesTarget } from './engine-image.js';
export { ButlerError, type ButlerErrorCode, formatError } from './errors.js';
export { type HashContextOptions, hashContext, toRequest } from './hash-api.js';
export { computeDigest } from './hash-context.js';
export type { ButlerHooks } from './hooks.js';
export {
  assertRegistryName,
  assertRepoName,
  DEFAULT_DOCKERFILE,
  DEFAULT_REGISTRY,
  repoNameFrom,
  resolveRegistry,
} from './image-name.js';
export { withLabelInstruction } from './label-instruction.js';
export { BUTLER_VERSION, buildLabels, LABELS } from './labels.js';
export { withTargetLock } from './lock.js';
export { createLogger, type LogEntry, type Logger, type LogLevel } from './logger.js';
export { createManifestFiles, lineOfError, type ManifestFiles } from './manifest-files.js';
export {
  createManifestPlugin,
  type EcosystemMetadata,
  type ManifestPluginOptions,
  type ManifestPluginSpec,
  type UnpinnedPolicy,
} from './manifest-plugin.js';
export { type ButlerPlugin, flattenPlugins, type PluginOption } from './plugin.js';
export {
  defaultStateDir,
  ensureStateDir,
  PRIVATE_FILE_MODE,
  stateSubdir,
} from './state-dir.js';
export { type TarSource, tarMembers } from './tar-writer.js';
export type * from './types.js';
