import { createRequire } from 'node:module';

let loaded: typeof import('dockerfile-ast') | undefined;

/**
 * Set by the CLI's bundle (packages/cli/scripts/bundle.mjs): dockerfile-ast made into one file
 * beside it, which loads in 4–5 ms instead of 10 ms for its 37 files from node_modules.
 */
declare const BUTLER_BUNDLED_DOCKERFILE_AST: string | undefined;
const DOCKERFILE_AST =
  typeof BUTLER_BUNDLED_DOCKERFILE_AST === 'string' ? BUTLER_BUNDLED_DOCKERFILE_AST : 'dockerfile-ast';

/**
 * dockerfile-ast, loaded on first use: a cache hit whose Dockerfile was analysed before does not
 * parse at all, so it never pays for loading it.
 */
export function dockerfileParser(): typeof import('dockerfile-ast').DockerfileParser {
  loaded ??= createRequire(import.meta.url)(DOCKERFILE_AST) as typeof import('dockerfile-ast');
  return loaded.DockerfileParser;
}
