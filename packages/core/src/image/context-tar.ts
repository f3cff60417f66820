import { readFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { withLabelInstruction } from '../context/label-instruction.js';
import { sha256Hex } from '../hashing/sha256.js';
import type { Builder, BuildJob, InputFile } from '../kernel/types.js';
import { type TarSource, tarMembers } from './tar-writer.js';

export interface ContextTarOptions {
  context: string;
  /** Context-relative paths to send: exactly the hashed list. */
  files: readonly string[];
  /** Absolute path of the Dockerfile (inside the context or not). */
  dockerfilePath: string;
  /** The Dockerfile text that was hashed (read from dockerfilePath when absent). */
  dockerfileText?: string;
  /** Labels to write into the sent Dockerfile as one LABEL instruction (see withLabelInstruction). */
  labels?: Readonly<Record<string, string>>;
  /** The stage being built: the LABEL goes at its end. */
  target?: string | undefined;
  /** What each file was when it was hashed: a file that differs when sent stops the stream. */
  expected?: readonly InputFile[];
  /**
   * `buildkit`: the engine's BuildKit copies every file of an uploaded tar (it applies no
   * .dockerignore to it), so the tar holds the hashed files and the Dockerfile only — nothing
   * rewritten, no extra .dockerignore — and labels travel as build options.
   */
  builder?: Builder | undefined;
}

export interface ContextTar {
  stream: Readable;
  /** The Dockerfile's path inside the tar, for the engine's `dockerfile` parameter. */
  dockerfile: string;
  /** True when the labels travel in the Dockerfile; otherwise pass them as build options. */
  labelsInDockerfile: boolean;
  /**
   * Why the stream stopped, when it was the tar's own doing (a file changed after hashing): the
   * engine then reports only a broken upload, so a backend throws this instead.
   */
  failure(): Error | undefined;
}

/**
 * Streams a tar of exactly the hashed files ("hash what you send"), plus what the engine needs to
 * read the build: the Dockerfile and the context's .dockerignore. The engine itself drops those two
 * again when .dockerignore names them, as it does for `docker build`.
 */
export function createContextTar(options: ContextTarOptions): ContextTar {
  const context = resolve(options.context);
  const inside = relative(context, options.dockerfilePath);
  const text = options.dockerfileText ?? readFileSync(options.dockerfilePath, 'utf8');
  const buildkit = options.builder === 'buildkit';
  const labelled =
    options.labels && !buildkit ? withLabelInstruction(text, options.labels, options.target) : undefined;
  // A rewritten Dockerfile travels under a hidden name, so a COPY of the original still sees its bytes.
  const sendOriginal =
    labelled === undefined && inside !== '' && !inside.startsWith(`..${sep}`) && inside !== '..';
  const dockerfile = sendOriginal
    ? inside.split(sep).join('/')
    : `.dockerfile.${sha256Hex(options.dockerfilePath).slice(0, 12)}`;
  const content = Buffer.from(labelled ?? text);
  const expected = new Map(options.expected?.map((file) => [file.path, file]));
  const sources: TarSource[] = options.files.map((path) => {
    const expect = expected.get(path);
    return expect ? { path, expect } : { path };
  });
  if (buildkit) {
    // The Dockerfile must travel; outside the context (or ignored) it is one more file there.
    if (!sendOriginal) sources.push({ name: dockerfile, content });
    else if (!options.files.includes(dockerfile)) sources.push({ path: dockerfile });
  } else if (!sendOriginal) {
    // As the docker CLI does for a Dockerfile outside the context: it travels under a hidden name
    // that the generated .dockerignore drops from what COPY can see.
    const original = readOptional(join(context, '.dockerignore'));
    sources.push(
      { name: dockerfile, content },
      { name: '.dockerignore', content: Buffer.from(`${original}\n${dockerfile}\n.dockerignore\n`) },
    );
  } else {
    const names = new Set(options.files);
    if (!names.has(dockerfile)) sources.push({ path: dockerfile });
    if (!names.has('.dockerignore')) sources.push({ path: '.dockerignore', optional: true });
  }
  let failure: Error | undefined;
  async function* remembered() {
    try {
      yield* tarMembers(context, sources);
    } catch (error) {
      failure = error as Error;
      throw error;
    }
  }
  return {
    stream: Readable.from(remembered(), { objectMode: false }),
    dockerfile,
    labelsInDockerfile: labelled !== undefined,
    failure: () => failure,
  };
}

/** The tar a backend sends for a build: exactly the hashed files, each checked against its digest. */
export function contextTarFor(job: BuildJob): ContextTar {
  const { context, labels, inputs } = job;
  return createContextTar({
    context: context.request.context,
    files: context.files,
    dockerfilePath: context.dockerfilePath,
    dockerfileText: context.dockerfileText,
    labels,
    target: context.request.target,
    expected: inputs.files,
    builder: context.request.builder,
  });
}

function readOptional(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
