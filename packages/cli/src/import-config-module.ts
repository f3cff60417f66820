import * as nodeModule from 'node:module';
import { extname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { defaultStateDir } from '@devops-butler/core';
import { importConfig } from '../loader/import-config.mjs';

let hooksRegistered = false;
let loads = 0;

// Relative to this file: the same from src/ (tests) and dist/ (the published CLI).
const HOOKS = new URL('../loader/ts-config-hooks.mjs', import.meta.url);

/** Node 22.15+ runs module hooks in the importing thread; older Node only in a loader thread. */
type RegisterHooks = (hooks: { resolve: unknown; load: unknown }) => void;
const registerHooks = (nodeModule as unknown as { registerHooks?: RegisterHooks }).registerHooks;

/**
 * Imports a JavaScript or TypeScript config module and returns its exports. TypeScript's types are
 * stripped in memory by module hooks (loader/ts-config-hooks.mjs), never written next to the user's
 * file; the stripped JavaScript is remembered in the state folder (`env` says where it is).
 * Each call imports afresh, so a changed config is read again within one process.
 */
export async function importConfigModule(
  path: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Record<string, unknown>> {
  if (/^\.m?ts$/.test(extname(path)) && !hooksRegistered) {
    await registerConfigHooks({ cacheDir: join(defaultStateDir(env), 'config-cache') });
    hooksRegistered = true;
  }
  const url = pathToFileURL(path);
  loads += 1;
  url.searchParams.set('butler-config', String(loads));
  return importConfig(url.href);
}

async function registerConfigHooks(data: { cacheDir: string }): Promise<void> {
  if (registerHooks) {
    // In-thread hooks cost nothing to start; the loader thread of `register` costs ~35 ms on Node 20.
    const hooks = await import(HOOKS.href);
    hooks.initialize(data);
    registerHooks({ resolve: hooks.resolveSync, load: hooks.loadSync });
  } else {
    nodeModule.register(HOOKS, { data });
  }
}
