import { expect, test } from 'vitest';
import { planRecovery } from './recovery-plan.js';

const up = (id: string, tookOver?: string) => ({ id, running: true, tookOver });
const down = (id: string) => ({ id, running: false });

test('a deployment that serves, with nothing left over, needs nothing', () => {
  expect(planRecovery('app', { serving: up('s') })).toEqual([]);
  expect(planRecovery('app', {})).toEqual([]);
});

test('killed between the two renames: the healthy candidate takes the name and the old one goes', () => {
  const plan = planRecovery('app', { old: up('o'), next: up('n') });
  expect(plan.filter((s) => s.do !== 'say')).toEqual([
    { do: 'rename', id: 'n', to: 'app' },
    { do: 'remove', id: 'o', grace: true, removeVolumes: false },
  ]);
});

test('killed after renaming the old one, with no running candidate: the old one gets its name back and starts', () => {
  const plan = planRecovery('app', { old: down('o'), next: down('n') });
  expect(plan.filter((s) => s.do !== 'say')).toEqual([
    { do: 'rename', id: 'o', to: 'app' },
    { do: 'start', id: 'o' },
    { do: 'remove', id: 'n', grace: false, removeVolumes: true },
  ]);
});

test('killed during the drain: the old container is removed with its grace period, its volumes kept', () => {
  expect(planRecovery('app', { serving: up('s'), old: up('o') }).filter((s) => s.do !== 'say')).toEqual([
    { do: 'remove', id: 'o', grace: true, removeVolumes: false },
  ]);
});

test('a candidate that took the volumes over goes without them, and their owner starts again behind a released front', () => {
  const plan = planRecovery('app', { serving: down('s'), next: up('n', 's') });
  expect(plan.filter((s) => s.do !== 'say')).toEqual([
    { do: 'remove', id: 'n', grace: false, removeVolumes: false },
    { do: 'start', id: 's' },
    { do: 'release-front' },
  ]);
  expect(plan.some((s) => s.do === 'say' && s.message.includes('started again'))).toBe(true);
});

test('a candidate never swapped in goes with its own fresh volumes; the serving container is left alone', () => {
  expect(planRecovery('app', { serving: up('s'), next: up('n') })).toEqual([
    { do: 'remove', id: 'n', grace: false, removeVolumes: true },
  ]);
});
