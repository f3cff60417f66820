import { register } from 'node:module';
import { extname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { importConfig } from '../loader/import-config.mjs';

let hooksRegistered = false;
let loads = 0;

/**
 * Imports a JavaScript or TypeScript config module and returns its exports. TypeScript is transpiled
 * in memory by module hooks (loader/ts-config-hooks.mjs), never written next to the user's file.
 * Each call imports afresh, so a changed config is read again within one process.
 */
export async function importConfigModule(path: string): Promise<Record<string, unknown>> {
  const typescript = /^\.m?ts$/.test(extname(path));
  if (typescript && !hooksRegistered) {
    // Relative to this file: the same from src/ (tests) and dist/ (the published CLI).
    register(new URL('../loader/ts-config-hooks.mjs', import.meta.url));
    hooksRegistered = true;
  }
  const url = pathToFileURL(path);
  loads += 1;
  url.searchParams.set('butler-config', String(loads));
  return importConfig(url.href);
}
