import { StateStore } from './state-store.js';

/**
 * Opens the store for a command that reads it more than once (stats, why, deployments), or says
 * why it cannot through `onWarning` and answers undefined: the store never fails a command.
 */
export function openStateStore(
  stateDir: string,
  onWarning?: ((message: string) => void) | undefined,
): StateStore | undefined {
  try {
    return StateStore.open(stateDir, { onWarning });
  } catch (error) {
    onWarning?.(cannotUse(stateDir, error));
    return undefined;
  }
}

/**
 * A store held open by `holdStateStore`: opened at its first use, closed on release. What the
 * store said as it opened (a folder others can read, a damaged file moved aside) waits for the
 * first use that listens: retention's reads open it without listening, the record listens.
 */
interface HeldStore {
  store?: StateStore | undefined;
  unsaid: string[];
}

const held = new Map<string, HeldStore>();

/**
 * Keeps the store of `stateDir` open across the uses made until the returned release: one build's
 * retention protections and its record share a connection. Each open and close costs the build
 * about 12 ms (the hit journal's replay, the checkpoint of the write-ahead log and its fsyncs). It
 * is opened only if used (a hit, journaled, opens none). A hold inside a hold is the outer one's.
 */
export function holdStateStore(stateDir: string): () => void {
  if (held.has(stateDir)) return () => undefined;
  const slot: HeldStore = { unsaid: [] };
  held.set(stateDir, slot);
  return () => {
    held.delete(stateDir);
    try {
      slot.store?.close();
    } catch {
      // A store that will not close costs nothing more: the build it served is done.
    }
  };
}

/**
 * Runs `use` on the store of `stateDir`: the held one, or one opened and closed for it. Errors
 * reach the caller (the record's: a warning that the build was not recorded).
 */
export function useStateStore<T>(
  stateDir: string,
  use: (store: StateStore) => T,
  onWarning?: ((message: string) => void) | undefined,
): T {
  const slot = held.get(stateDir);
  if (slot) {
    // Said before the use, and after it: a file found damaged mid-use is moved aside then.
    const say = () => {
      if (onWarning) for (const message of slot.unsaid.splice(0)) onWarning(message);
    };
    slot.store ??= StateStore.open(stateDir, { onWarning: (message) => slot.unsaid.push(message) });
    say();
    try {
      return use(slot.store);
    } finally {
      say();
    }
  }
  const store = StateStore.open(stateDir, { onWarning });
  try {
    return use(store);
  } finally {
    store.close();
  }
}

/**
 * The one way to use the state store for a moment: open it (or take the held one), run `use`,
 * close it. The store feeds stats, why, list and retention; it never fails a command — a store
 * that cannot be opened, written or read costs that record (or answers `fallback`) and says so
 * once through `onWarning`.
 */
export function withStateStore<T>(
  stateDir: string,
  use: (store: StateStore) => T,
  options: { fallback: T; onWarning?: ((message: string) => void) | undefined },
): T {
  try {
    return useStateStore(stateDir, use, options.onWarning);
  } catch (error) {
    options.onWarning?.(cannotUse(stateDir, error));
    return options.fallback;
  }
}

function cannotUse(stateDir: string, error: unknown): string {
  return `the state store in ${stateDir} cannot be used: ${(error as Error).message}; going on without it`;
}
