import { readFileSync, type Stats, statSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { DEFAULT_DOCKERFILE } from '../image/image-name.js';
import { ButlerError } from '../kernel/errors.js';
import type { Builder } from '../kernel/types.js';
import { cleanPath } from '../patterns/clean-path.js';
import { hasGlobMeta, matchGlob } from '../patterns/path-glob.js';
import { analyzeRemembered } from './analysis-cache.js';
import { type ContextEntry, walkContext } from './context-walk.js';
import { createPatternMatcher, parseDockerignore } from './dockerignore.js';
import { listingRules, loadListing, type ReadFolder, saveListing } from './listing-cache.js';

export interface CollectInputsOptions {
  /** The build context folder. */
  context: string;
  /** Dockerfile path, relative to the context or absolute (default `Dockerfile`). */
  dockerfile?: string | undefined;
  buildArgs?: Record<string, string> | undefined;
  target?: string | undefined;
  /** `--platform`: what BuildKit sets TARGETPLATFORM and friends from (default: this machine's). */
  platform?: string | undefined;
  /** Where the Dockerfile's analysis is remembered between runs (none: analysed every time). */
  stateDir?: string | undefined;
  /** The builder that will build: its rules alone apply (undefined: what either would read). */
  builder?: Builder | undefined;
}

export interface CollectedInputs {
  /** Absolute path of the Dockerfile. */
  dockerfilePath: string;
  dockerfileText: string;
  /** Absolute path of the ignore file in effect, if any. */
  ignoreFile: string | undefined;
  /** Sorted context-relative paths (files, symlinks, folders) the build can use. */
  files: string[];
  /** True when the analysis could not narrow the inputs and every non-ignored entry is used. */
  wholeContext: boolean;
  notes: string[];
  /** External images the build starts from or copies from. */
  images: string[];
  /** The given build args that can change the image: declared by an ARG, or one of Docker's predefined ones. */
  buildArgs: Record<string, string>;
}

/** Build args Docker passes to RUN without an ARG line (proxy settings). */
const PREDEFINED_ARGS = [
  'HTTP_PROXY',
  'http_proxy',
  'HTTPS_PROXY',
  'https_proxy',
  'FTP_PROXY',
  'ftp_proxy',
  'NO_PROXY',
  'no_proxy',
  'ALL_PROXY',
  'all_proxy',
];

/** Works out the context entries a build can read: COPY/ADD/bind-mount sources after .dockerignore. */
export async function collectInputs(options: CollectInputsOptions): Promise<CollectedInputs> {
  const context = resolve(options.context);
  // Synchronous reads here and below: a few small files, and a cache hit then never loads
  // fs/promises (see the lock, state/lock.ts).
  const contextStat = statIfAny(context);
  if (!contextStat?.isDirectory()) {
    throw new ButlerError('CONTEXT_INVALID', `build context "${options.context}" is not a folder`, {
      hint: 'pass the folder that holds your Dockerfile',
    });
  }
  const dockerfilePath = resolve(context, options.dockerfile ?? DEFAULT_DOCKERFILE);
  let dockerfileText: string;
  try {
    dockerfileText = readFileSync(dockerfilePath, 'utf8');
  } catch (error) {
    throw new ButlerError(
      'DOCKERFILE_MISSING',
      `no Dockerfile at ${dockerfilePath} (${(error as NodeJS.ErrnoException).code})`,
      { cause: error, hint: 'create one, or point to it with --file' },
    );
  }

  const ignoreFile = findIgnoreFile(context, dockerfilePath);
  const ignoreText = ignoreFile ? readFileSync(ignoreFile, 'utf8') : null;
  const patterns = parseDockerignore(ignoreText);
  // With a `!` exception, an ignored folder may still hold kept files, so the walk must enter it.
  const hasExceptions = patterns.some((p) => p.startsWith('!'));
  const entries = await listContext(context, patterns, hasExceptions, options.stateDir);

  const analysis = await analyzeRemembered(options.stateDir, dockerfilePath, dockerfileText, {
    buildArgs: options.buildArgs,
    target: options.target,
    platform: options.platform,
    builder: options.builder,
  });
  const notes = [...analysis.notes];
  const usable = new Set([...analysis.declaredArgs, ...PREDEFINED_ARGS]);
  const buildArgs = Object.fromEntries(
    Object.entries(options.buildArgs ?? {}).filter(([name]) => usable.has(name)),
  );
  const common = { dockerfilePath, dockerfileText, ignoreFile, images: analysis.images, buildArgs };
  if (analysis.uncertain.length > 0) {
    notes.push(...analysis.uncertain.map((why) => `whole context hashed: ${why}`));
    return { ...common, files: entries.map((e) => e.path), wholeContext: true, notes };
  }

  // Built on first use: `COPY . .` needs no lookup by path (20,000 entries: a map and its garbage).
  let byPath: Map<string, ContextEntry> | undefined;
  const find = (path: string) => {
    byPath ??= new Map(entries.map((e) => [e.path, e]));
    return byPath.get(path);
  };
  const selected = new Set<string>();
  let everything = false;
  for (const source of analysis.sources) {
    const path = cleanPath(source.path.replace(/^\/+/, '') || '.');
    if (path === '..' || path.startsWith('../')) {
      throw new ButlerError(
        'CONTEXT_INVALID',
        `Dockerfile line ${source.line}: "${source.path}" is outside the build context`,
        {
          hint: 'move the file into the context folder, or use a larger context',
        },
      );
    }
    if (path === '.') everything = true; // the whole context: whatever else is named is in it
    if (everything) continue;
    const roots = hasGlobMeta(path)
      ? entries.filter((e) => matchGlob(path, e.path)).map((e) => e.path)
      : [path];
    for (const root of roots) {
      await selectTree(root, entries, find, selected, context, source.line);
    }
  }
  if (everything) return { ...common, files: entries.map((e) => e.path), wholeContext: false, notes };
  // Most Dockerfiles select in walk order: then the list is already sorted.
  const files = [...selected];
  if (!isSorted(files)) files.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return { ...common, files, wholeContext: false, notes };
}

/** The walk's listing: remembered while no folder it read has changed, else walked (and kept). */
async function listContext(
  context: string,
  patterns: string[],
  hasExceptions: boolean,
  stateDir: string | undefined,
): Promise<ContextEntry[]> {
  const rules = listingRules(patterns, hasExceptions);
  if (stateDir) {
    try {
      const remembered = loadListing(stateDir, context, rules);
      if (remembered) return remembered;
    } catch {
      // a folder that cannot be stated any more: the walk says why
    }
  }
  const read: ReadFolder[] = [];
  const entries = await walkContext(
    context,
    createPatternMatcher(patterns),
    hasExceptions,
    stateDir ? read : undefined,
  );
  if (stateDir) {
    try {
      saveListing(stateDir, context, rules, read, entries);
    } catch {
      // a listing that cannot be kept only costs the next run a walk
    }
  }
  return entries;
}

function isSorted(paths: readonly string[]): boolean {
  for (let i = 1; i < paths.length; i++) if ((paths[i - 1] as string) >= (paths[i] as string)) return false;
  return true;
}

/** Adds `root` and everything below it; a symlink named directly is followed, as COPY does. */
async function selectTree(
  root: string,
  entries: ContextEntry[],
  find: (path: string) => ContextEntry | undefined,
  selected: Set<string>,
  context: string,
  line: number,
): Promise<void> {
  if (root === '.') {
    for (const e of entries) selected.add(e.path);
    return;
  }
  const entry = find(root);
  if (!entry) return; // missing or ignored: Docker fails the build; nothing of it can enter the image
  selected.add(root);
  if (entry.type === 'dir') {
    const prefix = `${root}/`;
    for (const e of entries) if (e.path.startsWith(prefix)) selected.add(e.path);
  } else if (entry.type === 'symlink') {
    const target = await realpath(join(context, root)).catch(() => {
      throw new ButlerError('CONTEXT_INVALID', `Dockerfile line ${line}: "${root}" is a broken symlink`, {
        hint: 'fix or remove the link',
      });
    });
    const rel = relative(await realpath(context), target);
    if (rel && !rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel)) {
      await selectTree(rel.split(sep).join('/'), entries, find, selected, context, line);
    }
  }
}

/** `<Dockerfile>.dockerignore` beside the Dockerfile wins over the context's `.dockerignore` (BuildKit). */
function findIgnoreFile(context: string, dockerfilePath: string): string | undefined {
  const candidates = [
    join(dirname(dockerfilePath), `${basename(dockerfilePath)}.dockerignore`),
    join(context, '.dockerignore'),
  ];
  for (const candidate of candidates) {
    if (statIfAny(candidate)?.isFile()) return candidate;
  }
  return undefined;
}

/** The entry's stat, or undefined when there is none or it cannot be stated. */
function statIfAny(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}
