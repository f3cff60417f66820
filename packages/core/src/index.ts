export { unreachedByClassicWalk } from './context/classic-walk.js';
export { type CollectedInputs, type CollectInputsOptions, collectInputs } from './context/collect-inputs.js';
export { CONFIG_FILES, configFileIn } from './context/config-files.js';
export { analyzeDockerfile, type DockerfileAnalysis } from './context/dockerfile-analysis.js';
export { createIgnoreMatcher, createPatternMatcher, parseDockerignore } from './context/dockerignore.js';
export { withLabelInstruction } from './context/label-instruction.js';
export { syntaxFrontend } from './context/platform-args.js';
export { type HashContextOptions, hashContext, toRequest } from './hashing/hash-context.js';
export { computeDigest } from './hashing/input-digest.js';
export { createSha256, nodeCrypto, type Sha256, sha256Hex } from './hashing/sha256.js';
export {
  type ContextSync,
  contextSyncFor,
  type SyncEntry,
  type SyncRequest,
  type SyncStat,
} from './image/context-sync.js';
export {
  type ContextTar,
  type ContextTarOptions,
  contextTarFor,
  createContextTar,
} from './image/context-tar.js';
export {
  alreadyTagged,
  type EngineImageInspect,
  type EngineImages,
  imageInfoFromInspect,
  imageMatchesTarget,
  tapEngineImageHooks,
} from './image/engine-image.js';
export { frontendUnavailable } from './image/frontend-error.js';
export {
  assertRegistryName,
  assertRepoName,
  DEFAULT_DOCKERFILE,
  DEFAULT_REGISTRY,
  repoNameFrom,
  resolveRegistry,
} from './image/image-name.js';
export { BUTLER_VERSION, buildLabels, LABELS } from './image/labels.js';
export { missingSecretOrAgent, readSecretValue } from './image/secret-value.js';
export { type TarSource, tarMembers } from './image/tar-writer.js';
export {
  Butler,
  type ButlerEvent,
  type ButlerOptions,
  createButler,
  type RunOptions,
} from './kernel/butler.js';
export { parseDuration } from './kernel/duration.js';
export { ButlerError, type ButlerErrorCode, formatError } from './kernel/errors.js';
export type { ButlerHooks } from './kernel/hooks.js';
export { createLogger, type LogEntry, type Logger, type LogLevel } from './kernel/logger.js';
export { type ButlerPlugin, flattenPlugins, type PluginOption } from './kernel/plugin.js';
export { compareCodeUnits } from './kernel/text-order.js';
export type * from './kernel/types.js';
export {
  type Dependency,
  type DependencyReport,
  type DependencySummary,
  dependencyFingerprint,
  type ManifestProblem,
  normalizeDependencies,
  notInLockfile,
  summarizeDependencies,
} from './manifests/dependencies.js';
export { createManifestFiles, lineOfError, type ManifestFiles } from './manifests/manifest-files.js';
export {
  createManifestPlugin,
  type EcosystemMetadata,
  type ManifestPluginOptions,
  type ManifestPluginSpec,
  type UnpinnedPolicy,
} from './manifests/manifest-plugin.js';
export { withTargetLock } from './state/lock.js';
export {
  defaultStateDir,
  ensureStateDir,
  PRIVATE_FILE_MODE,
  stateFileFor,
  stateSubdir,
} from './state/state-dir.js';
export { uniqueToken } from './state/unique-token.js';
