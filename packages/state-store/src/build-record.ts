import type { BuildResult, Dependency, EcosystemMetadata, HashedContext } from '@devops-butler/core';
import { encodeInputManifest } from './input-manifest.js';
import type { BuildRecord, StateStore } from './state-store.js';
import { withStateStore } from './with-store.js';

/** The dependencies manifest plugins found, by ecosystem. */
export function dependenciesOf(hashed: HashedContext): Record<string, Dependency[]> {
  return Object.fromEntries(
    hashed.context.ecosystems.map((ecosystem) => [
      ecosystem,
      (hashed.context.metadata[ecosystem] as EcosystemMetadata | undefined)?.dependencies ?? [],
    ]),
  );
}

/** Records what `Butler.build` decided, with the input manifest made only if the store lacks it. */
export function recordBuildResult(
  store: StateStore,
  result: BuildResult,
  hashed: HashedContext | undefined,
  at: Date = new Date(),
  /** The engine it ran on (as DOCKER_HOST spells it); absent: the local socket. */
  engine?: string,
): void {
  store.recordBuild(
    toBuildRecord(result, hashed, at, engine),
    hashed && (() => encodeInputManifest(result.target.digest, hashed.inputs, dependenciesOf(hashed))),
  );
}

/** The row a finished build becomes. */
export function toBuildRecord(
  result: BuildResult,
  hashed: HashedContext | undefined,
  at: Date,
  engine: string | undefined,
): BuildRecord {
  return {
    repo: result.target.repo,
    tag: result.target.tag,
    digest: result.target.digest,
    decision: result.outcome,
    durationMs: result.durationMs,
    imageId: result.image.id,
    size: result.image.size,
    context: hashed?.context.request.context,
    engine,
    at: at.toISOString(),
  };
}

/** Records a build that ended in an error; a store that cannot be opened costs the record, nothing else. */
export async function recordBuildFailure(
  stateDir: string,
  failure: { repo: string; code: string; durationMs: number; engine?: string | undefined },
): Promise<void> {
  // No warning: the build's own error is what the user needs to see.
  withStateStore(stateDir, (store) => store.recordFailure({ ...failure, at: new Date().toISOString() }), {
    fallback: undefined,
  });
}

/**
 * IDs of the images Butler built with this state folder, for retention; empty when the store
 * cannot be read (then retention leaves untagged images alone, which is the safe side).
 */
export function builtImageIdsIn(stateDir: string, engine?: string): Promise<ReadonlySet<string>> {
  return readStore(stateDir, (store) => store.builtImageIds(engine), new Set<string>());
}

/**
 * The images retention keeps for `butler rollback`: each current deployment's last versions
 * (`defaultKeep` unless the deployment says otherwise); empty when the store cannot be read.
 */
export function rollbackImageIdsIn(stateDir: string, defaultKeep = 3): Promise<ReadonlySet<string>> {
  return readStore(stateDir, (store) => store.rollbackImageIds(defaultKeep), new Set<string>());
}

/** Image ID → when a build last produced or reused it, for least-recently-used retention; empty when unreadable. */
export function lastUsedIn(stateDir: string): Promise<ReadonlyMap<string, string>> {
  return readStore(stateDir, (store) => store.lastUsed(), new Map<string, string>());
}

/** One read of the store; `fallback` when it cannot be opened or read (a read never fails a command). */
async function readStore<T>(stateDir: string, read: (store: StateStore) => T, fallback: T): Promise<T> {
  return withStateStore(stateDir, read, { fallback });
}
