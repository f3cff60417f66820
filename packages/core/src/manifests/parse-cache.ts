import { readFileSync } from 'node:fs';
import { sha256Hex } from '../hashing/sha256.js';
import { BUTLER_VERSION } from '../image/labels.js';
import { fileListDigest, moduleIdentity } from '../state/memory-keys.js';
import { stateFileFor, stateSubdir, writeStateFile } from '../state/state-dir.js';
import type { DependencyReport, ManifestProblem } from './dependencies.js';
import {
  createManifestFiles,
  type ManifestFiles,
  type ManifestReads,
  readManifestText,
} from './manifest-files.js';

/** What a parse read: its answer is the same while every one of these is. */
interface RememberedParse {
  key: string;
  /** The digest of the context file list it was asked about: the same list gives the same `has` answers. */
  list?: string;
  found: string[];
  reads: ManifestReads;
  report: DependencyReport;
  problems: ManifestProblem[];
}

/**
 * A manifest plugin's parse, remembered in the state folder per ecosystem and context: with the
 * same parser (`parserModule`'s file and Butler's version), the same manifests found, the same
 * answers to `has` and the same bytes in every file it read (checked by digest — reading and
 * hashing a 1.4 MB lockfile takes milliseconds, parsing it half a second), the remembered
 * dependencies are returned and no parser is loaded. A torn, foreign or stale file is ignored.
 */
export async function parseRemembered(
  options: {
    stateDir: string | undefined;
    ecosystem: string;
    /** The URL of the module that holds the parser (`import.meta.url`); none: nothing is remembered. */
    parserModule: string | undefined;
    contextDir: string;
    inputs: readonly string[];
    found: readonly string[];
  },
  parse: ((files: ManifestFiles) => DependencyReport | Promise<DependencyReport>) | undefined,
): Promise<{ report: DependencyReport; problems: ManifestProblem[] }> {
  const { stateDir, ecosystem, contextDir, inputs, found } = options;
  const parser = options.parserModule && moduleIdentity(options.parserModule);
  const file =
    stateDir && parser
      ? stateFileFor(stateDir, 'manifest-cache', `${ecosystem}\0${contextDir}`, '.json')
      : undefined;
  const key = digest(JSON.stringify([BUTLER_VERSION, parser, ecosystem]));
  if (file) {
    const saved = readSaved(file);
    if (saved && saved.key === key && unchanged(saved, options)) {
      return { report: saved.report, problems: saved.problems };
    }
  }
  const problems: ManifestProblem[] = [];
  const reads: ManifestReads = { has: [], files: [] };
  const files = createManifestFiles(contextDir, inputs, found, problems, reads);
  const report = (await parse?.(files)) ?? { dependencies: [] };
  if (file && stateDir) {
    const remembered: RememberedParse = {
      key,
      list: fileListDigest(inputs),
      found: [...found],
      reads,
      report,
      problems,
    };
    try {
      stateSubdir(stateDir, 'manifest-cache');
      writeStateFile(file, JSON.stringify(remembered));
    } catch {
      // A state folder that cannot be written costs the next run a parse, nothing else.
    }
  }
  return { report, problems };
}

function unchanged(
  saved: RememberedParse,
  options: { contextDir: string; inputs: readonly string[]; found: readonly string[] },
): boolean {
  if (saved.found.length !== options.found.length || saved.found.some((f, i) => f !== options.found[i])) {
    return false;
  }
  // The same list answers `has` as before without a set of its 20,000 paths.
  if (saved.list !== fileListDigest(options.inputs)) {
    const used = new Set(options.inputs);
    if (saved.reads.has.some(([path, had]) => used.has(path) !== had)) return false;
  }
  return saved.reads.files.every(
    ([path, seen]) => readManifestText(options.contextDir, path).digest === seen,
  );
}

/** A saved parse, or undefined when the file is missing, torn or not one of ours. */
function readSaved(file: string): RememberedParse | undefined {
  try {
    const saved = JSON.parse(readFileSync(file, 'utf8')) as RememberedParse;
    const valid =
      typeof saved.key === 'string' &&
      Array.isArray(saved.found) &&
      Array.isArray(saved.reads?.has) &&
      Array.isArray(saved.reads?.files) &&
      Array.isArray(saved.problems) &&
      Array.isArray(saved.report?.dependencies) &&
      saved.report.dependencies.every((d) => typeof d?.name === 'string' && typeof d?.version === 'string');
    return valid ? saved : undefined;
  } catch {
    return undefined;
  }
}

function digest(text: string): string {
  return sha256Hex(text);
}
