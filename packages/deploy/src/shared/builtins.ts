import type * as Http from 'node:http';
import type * as Util from 'node:util';

// Taken as CommonJS builtins, not through ES imports: Node's facade of an ES import reads every
// export of the builtin, the lazy ones too. node:http's WebSocket getter loads undici (Node's
// fetch), node:util's exports the diff and colour code and worker_threads: 75 of Node's modules
// on every command that loads the deploy package (`butler list` among them), none of them used.

/** node:util's promisify. */
export const { promisify } = process.getBuiltinModule('node:util') as typeof Util;
/** node:http's get. */
export const { get: httpGet } = process.getBuiltinModule('node:http') as typeof Http;
