import type * as Util from 'node:util';

// Taken as CommonJS builtins, not through ES imports: Node's facade of an ES import reads every
// export of the builtin, the lazy ones too. node:util's load the diff and colour code and
// worker_threads, node:http's WebSocket getter loads Node's fetch client: 75 of Node's modules
// on every command that loads the deploy package (`butler list` among them), none of them used.
// (node:http is taken so in host/health.ts, the one file here allowed to open connections.)

/** node:util's promisify. */
export const { promisify } = process.getBuiltinModule('node:util') as typeof Util;
