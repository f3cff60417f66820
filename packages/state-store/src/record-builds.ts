import type { ButlerPlugin } from '@devops-butler/core';
import { recordBuildResult } from './build-record.js';
import { StateStore } from './state-store.js';

/**
 * Records every finished build — decision, duration, image, input manifest — in the state store
 * in `stateDir`, on Butler's `done` hook: what `stats`, `why` and least-recently-used retention read.
 * The store's own warnings (a damaged file moved aside) go to `onWarning`.
 */
export function recordBuilds(options: {
  stateDir: string;
  /** The engine the builds run on (as DOCKER_HOST spells it), so engines' histories stay apart. */
  engine?: string | undefined;
  onWarning?: (message: string) => void;
}): ButlerPlugin {
  return {
    name: 'butler:record-builds',
    apply(butler) {
      butler.hooks.done.tapPromise('butler:record-builds', async ({ result, hashed }) => {
        const store = StateStore.open(options.stateDir, { onWarning: options.onWarning });
        try {
          recordBuildResult(store, result, hashed, new Date(), options.engine);
        } finally {
          store.close();
        }
      });
    },
  };
}
