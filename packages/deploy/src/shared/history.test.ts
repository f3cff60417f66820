import type { DeploymentRecord } from '@devops-butler/state-store';
import { expect, test } from 'vitest';
import { deploymentVersions, rollbackTarget } from './history.js';

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

test('a rollback ends the running version as rolled-back; the version put back is marked', () => {
  const newestFirst = [
    { ...record('deployed', 'c1', '2026-01-03'), action: 'rollback' as const },
    record('deployed', 'c2', '2026-01-02'),
    record('deployed', 'c1', '2026-01-01'),
  ];
  expect(deploymentVersions(newestFirst).map((v) => [v.commit, v.ended, v.rollback ?? false])).toEqual([
    ['c1', 'running', true],
    ['c2', 'rolled-back', false],
    ['c1', 'replaced', false],
  ]);
});

test('rollback goes to the newest earlier version with another image, never a failed one', () => {
  const versions = deploymentVersions([
    record('failed', 'c4c4c4c4', '2026-01-05'),
    record('deployed', 'c3c3c3c3', '2026-01-04'),
    record('failed', 'c2c2c2c2', '2026-01-03'),
    record('deployed', 'c1c1c1c1', '2026-01-02'),
    record('deployed', 'c0c0c0c0', '2026-01-01'),
  ]);
  expect(rollbackTarget('api', versions).target.commit).toBe('c1c1c1c1');
  expect(rollbackTarget('api', versions, 'c0c0c0c0').target.commit).toBe('c0c0c0c0');
  expect(() => rollbackTarget('api', versions, 'c2c2c2c2')).toThrow(
    /no version of api that ran has commit or tag c2c2c2c2/,
  );
  expect(() => rollbackTarget('api', versions, 'c3c3c3c3')).toThrow(/api already runs/);
  expect(() => rollbackTarget('api', versions, 'c0c')).toThrow(/4 to 64 hex digits/);
  expect(() => rollbackTarget('api', versions.slice(0, 2))).toThrow(/no earlier version/);
  expect(() =>
    rollbackTarget('api', deploymentVersions([record('failed', 'c9c9c9c9', '2026-01-01')])),
  ).toThrow(/not running/);
});
