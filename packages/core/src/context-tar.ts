import { createHash } from 'node:crypto';
import { createReadStream, readFileSync } from 'node:fs';
import { lstat, readFile, readlink } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { pack } from 'tar-stream';
import { withLabelInstruction } from './label-instruction.js';

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
}

export interface ContextTar {
  stream: Readable;
  /** The Dockerfile's path inside the tar, for the engine's `dockerfile` parameter. */
  dockerfile: string;
  /** True when the labels travel in the Dockerfile; otherwise pass them as build options. */
  labelsInDockerfile: boolean;
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
  const labelled = options.labels ? withLabelInstruction(text, options.labels, options.target) : undefined;
  // A rewritten Dockerfile travels under a hidden name, so a COPY of the original still sees its bytes.
  const sendOriginal =
    labelled === undefined && inside !== '' && !inside.startsWith(`..${sep}`) && inside !== '..';
  const dockerfile = sendOriginal
    ? inside.split(sep).join('/')
    : `.dockerfile.${createHash('sha256').update(options.dockerfilePath).digest('hex').slice(0, 12)}`;
  const content = Buffer.from(labelled ?? text);
  const tar = pack();
  void writeEntries(tar, context, options, dockerfile, sendOriginal ? undefined : content).then(
    () => tar.finalize(),
    (error: unknown) => tar.destroy(error as Error),
  );
  // tar-stream packs are streamx streams: wrap for consumers that want a Node stream (execa, http).
  return {
    stream: Readable.from(tar as AsyncIterable<Buffer>),
    dockerfile,
    labelsInDockerfile: labelled !== undefined,
  };
}

type Pack = ReturnType<typeof pack>;

async function writeEntries(
  tar: Pack,
  context: string,
  options: ContextTarOptions,
  dockerfile: string,
  hiddenDockerfile: Buffer | undefined,
): Promise<void> {
  const names = new Set(options.files);
  for (const path of options.files) await addPath(tar, context, path);
  if (hiddenDockerfile) {
    // As the docker CLI does for a Dockerfile outside the context: it travels under a hidden name
    // that the generated .dockerignore drops from what COPY can see.
    await addBuffer(tar, dockerfile, hiddenDockerfile);
    const original = await readFile(join(context, '.dockerignore'), 'utf8').catch(() => '');
    await addBuffer(tar, '.dockerignore', Buffer.from(`${original}\n${dockerfile}\n.dockerignore\n`));
    return;
  }
  if (!names.has(dockerfile)) await addPath(tar, context, dockerfile);
  if (!names.has('.dockerignore')) await addPath(tar, context, '.dockerignore', true);
}

async function addPath(tar: Pack, context: string, path: string, optional = false): Promise<void> {
  const absolute = join(context, path);
  const stats = await lstat(absolute).catch((error: unknown) => {
    if (optional) return undefined;
    throw error;
  });
  if (!stats) return;
  const header = { name: path, mode: stats.mode & 0o7777, mtime: stats.mtime, uid: 0, gid: 0 };
  if (stats.isDirectory()) {
    await entry(tar, { ...header, type: 'directory' });
  } else if (stats.isSymbolicLink()) {
    await entry(tar, { ...header, type: 'symlink', linkname: await readlink(absolute) });
  } else {
    const sink = tar.entry({ ...header, type: 'file', size: stats.size });
    await pipeline(createReadStream(absolute), sink);
  }
}

async function addBuffer(tar: Pack, name: string, content: Buffer): Promise<void> {
  await entry(tar, { name, mode: 0o644, type: 'file', size: content.length, uid: 0, gid: 0 }, content);
}

function entry(tar: Pack, header: Parameters<Pack['entry']>[0], content?: Buffer): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    tar.entry(header, content ?? Buffer.alloc(0), (error) => (error ? reject(error) : resolvePromise()));
  });
}
