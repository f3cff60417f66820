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
 * The one way to use the state store for a moment: open it, run `use`, close it. The store feeds
 * stats, why, list and retention; it never fails a command — a store that cannot be opened,
 * written or read costs that record (or answers `fallback`) and says so once through `onWarning`.
 */
export function withStateStore<T>(
  stateDir: string,
  use: (store: StateStore) => T,
  options: { fallback: T; onWarning?: ((message: string) => void) | undefined },
): T {
  const store = openStateStore(stateDir, options.onWarning);
  if (!store) return options.fallback;
  try {
    return use(store);
  } catch (error) {
    options.onWarning?.(cannotUse(stateDir, error));
    return options.fallback;
  } finally {
    store.close();
  }
}

function cannotUse(stateDir: string, error: unknown): string {
  return `the state store in ${stateDir} cannot be used: ${(error as Error).message}; going on without it`;
}
