import { type DeploymentRecord, type StateStore, withStateStore } from '@devops-butler/state-store';
import type { DeploySettings } from './settings.js';

/** The state store through its one way of failing: a warning, never a failed deploy. */
function withStore(
  stateDir: string,
  warn: (message: string) => void,
  use: (store: StateStore) => void,
): void {
  withStateStore(stateDir, use, { fallback: undefined, onWarning: warn });
}

/**
 * Records a deploy or rollback attempt; with `settings` (it went live), they become the
 * deployment's remembered options.
 */
export function recordDeploy(
  stateDir: string,
  record: Omit<DeploymentRecord, 'at'>,
  warn: (message: string) => void,
  settings?: DeploySettings,
): void {
  const at = new Date().toISOString();
  withStore(stateDir, warn, (store) => {
    store.recordDeployment({ ...record, at });
    if (settings) store.saveDeploymentSettings(record.name, settings, settings.keepVersions, at);
  });
}

/** What the state store knows of a deployment: its remembered options and its records, newest first. */
export function readDeployment(
  stateDir: string,
  name: string,
  warn: (message: string) => void,
): { settings: DeploySettings | undefined; history: DeploymentRecord[] } {
  let found: { settings: DeploySettings | undefined; history: DeploymentRecord[] } = {
    settings: undefined,
    history: [],
  };
  withStore(stateDir, warn, (store) => {
    found = {
      settings: store.deploymentSettings(name) as DeploySettings | undefined,
      history: store.deploymentHistory(name, 200),
    };
  });
  return found;
}
