import type { DeploymentRecord } from '@devops-butler/state-store';
import { expect, test } from 'vitest';
import { deploymentVersions } from './history.js';

const record = (outcome: DeploymentRecord['outcome'], commit: string, at: string): DeploymentRecord => ({
  name: 'api',
  repo: 'api',
  source: 'file:///srv/api.git',
  commit,
  imageId: `sha256:${commit}`,
  reference: `local-registry/api:${commit}`,
  outcome,
  at,
});

test('versions newest first: which runs, which were replaced, which failed; an unchanged redeploy is no version', () => {
  const newestFirst = [
    record('failed', 'c3', '2026-01-04'),
    record('unchanged', 'c2', '2026-01-03'),
    record('deployed', 'c2', '2026-01-02'),
    record('deployed', 'c1', '2026-01-01'),
  ];
  expect(deploymentVersions(newestFirst).map((v) => [v.commit, v.ended, v.at, v.endedAt])).toEqual([
    ['c3', 'failed', '2026-01-04', undefined],
    ['c2', 'running', '2026-01-02', undefined],
    ['c1', 'replaced', '2026-01-01', '2026-01-02'],
  ]);
});

test('an undeploy ends the running version; the next deploy starts anew', () => {
  const newestFirst = [
    record('deployed', 'c2', '2026-01-03'),
    record('undeployed', 'c1', '2026-01-02'),
    record('deployed', 'c1', '2026-01-01'),
  ];
  expect(deploymentVersions(newestFirst).map((v) => [v.commit, v.ended])).toEqual([
    ['c2', 'running'],
    ['c1', 'undeployed'],
  ]);
});
