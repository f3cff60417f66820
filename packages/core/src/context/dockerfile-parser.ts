import { createRequire } from 'node:module';

let loaded: typeof import('dockerfile-ast') | undefined;

/**
 * dockerfile-ast, loaded on first use: it (with the language-server types it brings) takes ~30 ms
 * to load, and a cache hit whose Dockerfile was analysed before does not parse at all.
 */
export function dockerfileParser(): typeof import('dockerfile-ast').DockerfileParser {
  loaded ??= createRequire(import.meta.url)('dockerfile-ast') as typeof import('dockerfile-ast');
  return loaded.DockerfileParser;
}
