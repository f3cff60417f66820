// Module hooks (node:module register) that load a TypeScript butler config in memory.
// Only modules whose URL carries the `butler-config` query are transpiled: the config itself and the
// .ts/.mts files it imports relatively. Nothing is written to disk, so a read-only checkout works,
// parallel processes cannot trip over each other's files, and a user's own butler.config.mjs is
// never touched. Plain JavaScript in this file: the hooks run in Node's loader thread, untranspiled.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const MARK = 'butler-config';
const TS_FILE = /\.m?ts$/;

let typescript;

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

async function resolveWithTypescript(specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context);
  } catch (error) {
    if (!context.parentURL || !marked(context.parentURL)) throw error;
    for (const candidate of typescriptCandidates(specifier)) {
      try {
        return await nextResolve(candidate, context);
      } catch {}
    }
    throw error;
  }
}

export async function resolve(specifier, context, nextResolve) {
  const result = await resolveWithTypescript(specifier, context, nextResolve);
  // A relative TypeScript import of a config module is part of the config: carry the mark over.
  if (context.parentURL && marked(context.parentURL) && result.url.startsWith('file:')) {
    const url = new URL(result.url);
    if (TS_FILE.test(url.pathname) && !url.searchParams.has(MARK)) {
      url.searchParams.set(MARK, new URL(context.parentURL).searchParams.get(MARK) ?? '');
      return { ...result, url: url.href, shortCircuit: true };
    }
  }
  return result;
}

export async function load(url, context, nextLoad) {
  if (!marked(url) || !TS_FILE.test(new URL(url).pathname)) return nextLoad(url, context);
  const path = fileURLToPath(url);
  // TypeScript is an optional peer: a project that writes its config in TypeScript has it.
  typescript ??= (
    await import('typescript').catch(() => {
      throw new Error(
        `reading ${path} needs the typescript package, which is not installed — npm install --save-dev typescript, or write the config as butler.config.mjs`,
      );
    })
  ).default;
  const { outputText } = typescript.transpileModule(await readFile(path, 'utf8'), {
    fileName: path,
    compilerOptions: {
      module: typescript.ModuleKind.ES2022,
      target: typescript.ScriptTarget.ES2022,
    },
  });
  return { format: 'module', source: outputText, shortCircuit: true };
}
