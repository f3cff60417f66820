import type { EngineEndpoint } from './engine-api.js';
import type { SyncFolders } from './file-sync.js';

/** A secret a build may mount (`RUN --mount=type=secret,id=…`): read only when BuildKit asks for it. */
export interface BuildSecret {
  id: string;
  /** Reads the value; called once per request of the build, never before, never stored. */
  read(): Promise<Buffer>;
}

/** An SSH agent a build may use (`RUN --mount=type=ssh[,id=…]`): its socket on this machine. */
export interface BuildSshAgent {
  /** `default` unless the Dockerfile names another. */
  id: string;
  socket: string;
}

/** What a session serves. */
export interface SessionServices {
  secrets: readonly BuildSecret[];
  agents?: readonly BuildSshAgent[] | undefined;
  /** The build's folders (`context`, `dockerfile`), for a build with `remote=client-session`. */
  folders?: SyncFolders | undefined;
  /**
   * Names the folders to BuildKit across builds: it keeps each folder's last synced copy under this
   * key and asks only for files whose stat differs. Random when absent (nothing reused).
   */
  sharedKey?: string | undefined;
}

/** An open session the engine's BuildKit calls back into; pass `id` as the build's `session`. */
export interface BuildSession {
  id: string;
  close(): void;
}

/**
 * Opens a BuildKit session on the engine that serves secrets, SSH agents and the build's files (see
 * build-session-server.ts). Loaded on demand: the gRPC server and protobuf runtime are never on a
 * cache hit's path.
 */
export async function openBuildSession(
  endpoint: EngineEndpoint,
  services: SessionServices,
): Promise<BuildSession> {
  return (await import('./build-session-server.js')).openSession(endpoint, services);
}
