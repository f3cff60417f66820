import { StateStore } from './state-store.js';

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
  let store: StateStore | undefined;
  try {
    store = StateStore.open(stateDir, { onWarning: options.onWarning });
    return use(store);
  } catch (error) {
    options.onWarning?.(`the state store in ${stateDir} cannot be used: ${(error as Error).message}`);
    return options.fallback;
  } finally {
    store?.close();
  }
}
