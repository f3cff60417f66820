import { type DeploymentRecord, StateStore } from '@devops-butler/state-store';

/**
 * Writes to the state store. The store feeds stats, why and list; it never fails a deploy — a
 * store that cannot be written costs the record and says so.
 */
function withStore(
  stateDir: string,
  warn: (message: string) => void,
  write: (store: StateStore) => void,
): void {
  let store: StateStore | undefined;
  try {
    store = StateStore.open(stateDir, { onWarning: warn });
    write(store);
  } catch (error) {
    warn(`not recorded in the state store in ${stateDir}: ${(error as Error).message}`);
  } finally {
    store?.close();
  }
}

export function recordDeploy(
  stateDir: string,
  record: Omit<DeploymentRecord, 'at'>,
  warn: (message: string) => void,
): void {
  withStore(stateDir, warn, (store) => store.recordDeployment({ ...record, at: new Date().toISOString() }));
}
