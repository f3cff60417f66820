// Module hooks (node:module register) that load a TypeScript butler config in memory.
// Only modules whose URL carries the `butler-config` query are transpiled: the config itself and the
// .ts/.mts files it imports relatively. Nothing is written next to the user's files, so a read-only
// checkout works, parallel processes cannot trip over each other's files, and a user's own
// butler.config.mjs is never touched. Plain JavaScript in this file: the hooks run in Node's loader
// thread, untranspiled.
//
// Types are removed by sucrase (a small, dependency-light transpiler that only strips what
// TypeScript adds), not by the TypeScript compiler: a config works without TypeScript installed and
// whatever TypeScript the project has (7.x changed its JavaScript API). Loading sucrase costs ~30 ms,
// so its output is remembered per config file in Butler's state folder, keyed by the source's digest:
// an unchanged config is served from there without loading it.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const MARK = 'butler-config';
const TS_FILE = /\.m?ts$/;
// Bump when the transform's options change: older cached output is then never served.
const TRANSFORM_VERSION = 1;

let cacheDir;
let transpiler;

/** Receives `{ cacheDir }` (from `register`'s data, or called directly); without it nothing is remembered. */
export function initialize(data) {
  cacheDir = data?.cacheDir;
}

function marked(url) {
  return url.startsWith('file:') && new URL(url).searchParams.has(MARK);
}

// `./helper.js` or `./helper` written in a TypeScript config may name `./helper.ts`, as tsc allows.
function typescriptCandidates(specifier) {
  if (!specifier.startsWith('.')) return [];
  if (specifier.endsWith('.js')) return [`${specifier.slice(0, -3)}.ts`];
  if (specifier.endsWith('.mjs')) return [`${specifier.slice(0, -4)}.mts`];
  return /\.[cm]?[jt]s$/.test(specifier) ? [] : [`${specifier}.ts`, `${specifier}.mts`];
}

// A relative TypeScript import of a config module is part of the config: carry the mark over.
function carryMark(result, context) {
  if (!context.parentURL || !marked(context.parentURL) || !result.url.startsWith('file:')) return result;
  const url = new URL(result.url);
  if (!TS_FILE.test(url.pathname) || url.searchParams.has(MARK)) return result;
  url.searchParams.set(MARK, new URL(context.parentURL).searchParams.get(MARK) ?? '');
  return { ...result, url: url.href, shortCircuit: true };
}

/** For `module.register` (Node 20): hooks in Node's loader thread. */
export async function resolve(specifier, context, nextResolve) {
  try {
    return carryMark(await nextResolve(specifier, context), context);
  } catch (error) {
    if (!context.parentURL || !marked(context.parentURL)) throw error;
    for (const candidate of typescriptCandidates(specifier)) {
      try {
        return carryMark(await nextResolve(candidate, context), context);
      } catch {}
    }
    throw error;
  }
}

/** For `module.registerHooks` (Node 22.15+): the same, synchronous, in the importing thread. */
export function resolveSync(specifier, context, nextResolve) {
  try {
    return carryMark(nextResolve(specifier, context), context);
  } catch (error) {
    if (!context.parentURL || !marked(context.parentURL)) throw error;
    for (const candidate of typescriptCandidates(specifier)) {
      try {
        return carryMark(nextResolve(candidate, context), context);
      } catch {}
    }
    throw error;
  }
}

export async function load(url, context, nextLoad) {
  return loadSync(url, context, nextLoad);
}

export function loadSync(url, context, nextLoad) {
  if (!marked(url) || !TS_FILE.test(new URL(url).pathname)) return nextLoad(url, context);
  const path = fileURLToPath(url);
  return { format: 'module', source: javascriptFor(path, readFileSync(path, 'utf8')), shortCircuit: true };
}

/** The config's JavaScript: remembered when this exact source was stripped before, else stripped now. */
function javascriptFor(path, source) {
  const key = createHash('sha256').update(`${TRANSFORM_VERSION}\0${path}\0${source}`).digest('hex');
  const file =
    cacheDir && join(cacheDir, `${createHash('sha256').update(path).digest('hex').slice(0, 32)}.json`);
  if (file) {
    try {
      const saved = JSON.parse(readFileSync(file, 'utf8'));
      if (saved.key === key && typeof saved.code === 'string') return saved.code;
    } catch {
      // None yet, a torn write or another program's file: strip afresh.
    }
  }
  const code = stripTypes(path, source);
  if (file) {
    try {
      mkdirSync(cacheDir, { recursive: true, mode: 0o700 });
      const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
      writeFileSync(tmp, JSON.stringify({ key, code }), { mode: 0o600 });
      renameSync(tmp, file);
    } catch {
      // A state folder that cannot be written costs the next run a transpile, nothing else.
    }
  }
  return code;
}

function stripTypes(path, source) {
  // sucrase bundled as one CommonJS file by the CLI's build (scripts/bundle.mjs): it loads in about
  // half the time of its package's files, and installs none of its dependencies.
  transpiler ??= createRequire(import.meta.url)('../bundle/sucrase.cjs');
  try {
    return transpiler.transform(source, {
      transforms: ['typescript'],
      disableESTransforms: true,
      filePath: path,
    }).code;
  } catch (error) {
    const loc = error?.loc;
    if (!loc) throw error;
    // "Unexpected token, expected "," (12:3)" → the reason alone; the place goes first, 1-based.
    const reason = String(error.message)
      .replace(/^Error transforming [^:]*: /, '')
      .replace(/ \(\d+:\d+\)$/, '');
    // sucrase's column already counts from 1.
    throw new SyntaxError(`syntax error at ${path}:${loc.line}:${loc.column}: ${reason}`);
  }
}
