import { expect, test } from 'vitest';
import { buildSecrets } from './build-request.js';

const where = { cwd: '/work', context: '/work/app', env: { API_KEY: 'x', token: 'y' } };
const file = new URL(import.meta.url).pathname;

test("--secret takes docker build's forms: src= (or source=) a file, env= a variable, id alone its own variable", () => {
  expect(
    buildSecrets([`id=a,src=${file}`, `id=b,source=${file}`, 'id=c,env=API_KEY', 'id=token'], {}, where),
  ).toEqual([
    { id: 'a', file },
    { id: 'b', file },
    { id: 'c', env: 'API_KEY' },
    { id: 'token', env: 'token' },
  ]);
});

test('a flag replaces the config’s secret of the same id; config files are relative to the build folder', () => {
  expect(() => buildSecrets([], { cfg: { file: 'nope.txt' } }, where)).toThrow(
    'the secret "cfg" is to be read from /work/app/nope.txt, which does not exist',
  );
  expect(buildSecrets(['id=cfg,env=API_KEY'], { cfg: { file: 'nope.txt' } }, where)).toEqual([
    { id: 'cfg', env: 'API_KEY' },
  ]);
});

test('a secret that cannot be had, or a malformed flag, is one usage line naming it (never its value)', () => {
  expect(() => buildSecrets(['id=x,env=MISSING'], {}, where)).toThrow(
    'the secret "x" is to be read from the variable MISSING, which is not set',
  );
  for (const bad of ['src=/a', 'id=a,src=/a,env=B', 'id=a,colour=blue', '']) {
    expect(() => buildSecrets([bad], {}, where)).toThrow(/must be id=ID with src=PATH or env=VARIABLE/);
  }
});
