import type { ButlerPlugin } from '@devops-butler/core';
import { dependenciesOf, recordBuildResult, toBuildRecord } from './build-record.js';
import { journalHit, markManifestStored } from './hit-journal.js';
import { inputManifestText } from './input-manifest.js';
import { useStateStore } from './with-store.js';

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
        const at = new Date();
        // A hit is journaled (with its manifest's text where the store may lack it): no database is opened.
        if (
          result.outcome === 'reused' &&
          journalHit(
            options.stateDir,
            toBuildRecord(result, hashed, at, options.engine),
            hashed && (() => inputManifestText(result.target.digest, hashed.inputs, dependenciesOf(hashed))),
          )
        )
          return;
        useStateStore(
          options.stateDir,
          (store) => recordBuildResult(store, result, hashed, at, options.engine),
          options.onWarning,
        );
        // The manifest of this digest is stored now (made from `hashed`): its next hits can be journaled.
        if (hashed) markManifestStored(options.stateDir, result.target.repo, result.target.digest);
      });
    },
  };
}
