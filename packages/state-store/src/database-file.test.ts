import { expect, test } from 'vitest';
import { explainAddonError } from './database-file.js';

test('a native module built for another Node.js is one sentence naming the module and the fix', () => {
  const wrongAbi = new Error(
    "The module '/x/better_sqlite3.node' was compiled against a different Node.js version using NODE_MODULE_VERSION 115. This version of Node.js requires NODE_MODULE_VERSION 137.",
  );
  for (const error of [wrongAbi, new Error("Module did not self-register: '/x/better_sqlite3.node'.")]) {
    const explained = explainAddonError(error) as Error;
    expect(explained.message).toBe(
      `better-sqlite3 was built for another Node.js than this one (${process.version}); rebuild it: npm rebuild better-sqlite3 (in a checkout of Butler: bash scripts/bootstrap.sh)`,
    );
    expect(explained.cause).toBe(error);
  }
  const other = new Error('SQLITE_CORRUPT: database disk image is malformed');
  expect(explainAddonError(other)).toBe(other);
});
