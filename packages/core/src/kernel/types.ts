/** What a caller asks Butler to build. */
export interface BuildRequest {
  /** Absolute path of the build context folder. */
  context: string;
  /** Dockerfile path, relative to the context (default `Dockerfile`) or absolute. */
  dockerfile: string;
  registry: string;
  repo: string;
  buildArgs: Record<string, string>;
  target?: string | undefined;
  platform?: string | undefined;
  /** Build even when an image with the same hash exists. */
  force: boolean;
  /** Extra labels for the image (OCI source and revision, say). */
  labels: Record<string, string>;
  /**
   * Which builder builds it. The two can make different images from one folder (platform args,
   * what `COPY .` sees), so the hash follows the builder and names it. Undefined: not known (an
   * offline hash), then the analysis keeps what either builder would read.
   */
  builder?: Builder | undefined;
  /**
   * Secrets the build may mount (`RUN --mount=type=secret,id=…`): where each value comes from,
   * never the value. Not part of the hash (as in BuildKit's own cache).
   */
  secrets?: SecretSource[] | undefined;
  /** SSH agents the build may use (`RUN --mount=type=ssh`): their sockets here. Not part of the hash. */
  ssh?: SshAgentSource[] | undefined;
}

/** An SSH agent a build may use: `default` (SSH_AUTH_SOCK) or another id, and its socket. */
export interface SshAgentSource {
  id: string;
  socket: string;
}

/** Where a build secret's value is read from when BuildKit asks: a file, or a variable of Butler's environment. */
export interface SecretSource {
  id: string;
  file?: string | undefined;
  env?: string | undefined;
}

/** BuildKit (Docker's builder since 23.0) or the classic builder (older engines, Podman's API). */
export type Builder = 'buildkit' | 'classic';

/** The two build backends: the Engine API (dockerode's package for the hooks) or the docker CLI. */
export type BackendName = 'dockerode' | 'docker-cli';

export type InputFileType = 'file' | 'dir' | 'symlink';

/** One context entry the build can use, as it enters the hash. */
export interface InputFile {
  /** Context-relative POSIX path. */
  path: string;
  type: InputFileType;
  executable: boolean;
  /** sha256 hex of the content (files only). */
  sha256?: string;
  /** Link target (symlinks only). */
  linkTarget?: string;
  size: number;
}

/** A base or `--from` image the build depends on, and its identity once a backend resolved it. */
export interface ImageDependency {
  reference: string;
  /** Image ID or registry digest; undefined until resolved, `missing` when the engine does not have it. */
  identity?: string;
}

/** The result of the resolveContext hook: everything the build will read. */
export interface ResolvedContext {
  request: BuildRequest;
  dockerfilePath: string;
  dockerfileText: string;
  /** The ignore file that applied (`.dockerignore`, or `<Dockerfile>.dockerignore`), if any. */
  ignoreFile?: string | undefined;
  /** Context-relative paths the build can use, sorted, after .dockerignore. */
  files: string[];
  /** True when the analysis could not narrow the inputs and the whole context is used. */
  wholeContext: boolean;
  /** Why the whole context is used, or other analysis notes. */
  notes: string[];
  images: ImageDependency[];
  /** The request's build args that can change the image (declared by an ARG, or predefined). */
  buildArgs: Record<string, string>;
  /** Ecosystems detected by manifest plugins (`npm`, `pip`, ...). */
  ecosystems: string[];
  /** Metadata plugins attach for the image label and `--json` (dependencies included, say). */
  metadata: Record<string, unknown>;
  warnings: string[];
}

/** Everything folded into the content hash; the hash hook is a waterfall over it. */
export interface HashInputs {
  dockerfile: string;
  files: InputFile[];
  buildArgs: Record<string, string>;
  target: string;
  platform: string;
  images: Record<string, string>;
  /** Plugin name → a normalised fingerprint it contributes (a dependency list, say). */
  contributions: Record<string, string>;
  /** The builder that builds (`buildkit`, `classic`); '' when not known. */
  builder: string;
}

export interface ImageInfo {
  id: string;
  reference: string;
  size: number;
  created: string;
  labels: Record<string, string>;
  /** Set by a lookup that pulled the image from a registry instead of finding it on the engine. */
  origin?: 'registry' | undefined;
  /** The engine's tags for it when it was found (`RepoTags`): a reuse skips tags already in place. */
  tags?: string[] | undefined;
  /** Set by a backend that built it: how much of the context the builder read. */
  contextTransfer?: ContextTransfer | undefined;
}

/**
 * What a build read of its context: BuildKit's file sync asks only for files whose stat moved since
 * the last build of the folder; a tar sends every file.
 */
export interface ContextTransfer {
  /** Files whose bytes were sent (once each, however many syncs asked for them). */
  files: number;
  /** Bytes sent, every sync counted. */
  bytes: number;
  /** Files in the context (the hashed list). */
  of: number;
}

export interface ImageTarget {
  registry: string;
  repo: string;
  tag: string;
  /** `{registry}/{repo}:{tag}` */
  reference: string;
  /** `{registry}/{repo}:latest` */
  latest: string;
  digest: string;
}

export interface BuildJob {
  context: ResolvedContext;
  /** What was hashed: the backend sends these very bytes (see contextTarFor). */
  inputs: HashInputs;
  target: ImageTarget;
  labels: Record<string, string>;
  onOutput: (line: string) => void;
}

/** What the `built` hook gets beside the image: which target it was built for, and how. */
export interface BuiltJob {
  target: ImageTarget;
  context: ResolvedContext;
  outcome: 'built' | 'forced';
}

export interface TagJob {
  image: ImageInfo;
  target: ImageTarget;
  /** How the image came to be: a registry cache pushes only what was built here. */
  outcome: 'reused' | 'built' | 'forced';
}

export interface CleanupJob {
  target: ImageTarget;
  image: ImageInfo;
  /** As in TagJob; with `alreadyTagged`, a reuse that moved no tag (retention has nothing new to weigh). */
  outcome: TagJob['outcome'];
}

/** What the `done` hook gets: the result, and every input that went into its hash. */
export interface DoneJob {
  result: BuildResult;
  hashed: HashedContext;
}

/** What `hashContext` and `butler.hash` return: the context, every hash input, the digest and the target. */
export interface HashedContext {
  context: ResolvedContext;
  inputs: HashInputs;
  digest: string;
  target: ImageTarget;
}

export type BuildOutcome = 'reused' | 'built' | 'forced';

export interface BuildResult {
  outcome: BuildOutcome;
  target: ImageTarget;
  image: ImageInfo;
  wholeContext: boolean;
  files: number;
  notes: string[];
  warnings: string[];
  metadata: Record<string, unknown>;
  /** From the request to the image tagged: the cleanup after it (retention) is not counted. */
  durationMs: number;
}
