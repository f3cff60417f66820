import { builtImageIdsIn, lastUsedIn, rollbackImageIdsIn } from '@devops-butler/state-store';

/** What retention reads from the state store besides the engine's images. */
export interface RetentionInputs {
  /** IDs of images Butler built on that engine: an untagged one of them is still Butler's. */
  builtByButler: () => Promise<ReadonlySet<string>>;
  /** Each current deployment's last versions: kept for `butler rollback`. */
  keptForRollback: () => Promise<ReadonlySet<string>>;
  /** Image ID → last use, read only when a size limit needs least-recently-used order. */
  lastUsed: ReadonlyMap<string, string> | undefined;
}

/**
 * Retention's inputs from the state store, assembled once for the cleanup after a build, the one
 * after a deploy and `butler gc`: the same protections everywhere. `engine`: the engine's address
 * (records are kept per engine).
 */
export async function retentionInputs(
  stateDir: string,
  engine: string | undefined,
  { needLastUsed }: { needLastUsed: boolean },
): Promise<RetentionInputs> {
  return {
    builtByButler: () => builtImageIdsIn(stateDir, engine),
    keptForRollback: () => rollbackImageIdsIn(stateDir),
    lastUsed: needLastUsed ? await lastUsedIn(stateDir) : undefined,
  };
}
