import { expect, test } from 'vitest';
import { type DeploySettings, parseEnvFile, parseMount, settleSettings, shownSettings } from './settings.js';

const remembered: DeploySettings = {
  network: 'devops-butler-net',
  ports: [{ hostIp: '127.0.0.1', host: 8080, container: 3000 }],
  env: { TOKEN: 's3cret', MODE: 'prod' },
  envFile: '/srv/app.env',
  mounts: [{ type: 'volume', source: 'data', target: '/data', readOnly: false }],
  healthPath: '/up',
  drainMs: 5000,
};

test('a plain deploy keeps every remembered setting and says which, never an env value', () => {
  const { settings, kept } = settleSettings(remembered, {});
  expect(settings).toEqual(remembered);
  expect(kept).toEqual([
    '--port 127.0.0.1:8080:3000',
    '--env TOKEN,MODE',
    '--env-file /srv/app.env',
    '--volume data:/data',
    '--health-path /up',
    '--drain 5s',
  ]);
  expect(kept.join(' ')).not.toContain('s3cret');
});

test('a flag given again replaces its whole remembered value; the others stay', () => {
  const { settings, kept } = settleSettings(remembered, { env: { MODE: 'dev' }, ports: [] });
  expect(settings.env).toEqual({ MODE: 'dev' });
  expect(settings.ports).toEqual([]);
  expect(settings.mounts).toEqual(remembered.mounts);
  expect(kept.some((k) => k.startsWith('--env ') || k.startsWith('--port'))).toBe(false);
});

test('nothing remembered: the defaults, and nothing said', () => {
  expect(settleSettings(undefined, {})).toEqual({
    settings: { network: 'devops-butler-net', ports: [], env: {}, mounts: [] },
    kept: [],
  });
});

test('--json shows the env names only', () => {
  expect(shownSettings(remembered).env).toEqual(['TOKEN', 'MODE']);
});

test('volumes: named, bind from an absolute path, read-only; relative paths and bad modes refused', () => {
  expect(parseMount('data:/var/lib/app')).toEqual({
    type: 'volume',
    source: 'data',
    target: '/var/lib/app',
    readOnly: false,
  });
  expect(parseMount('/srv/conf:/etc/app/:ro')).toEqual({
    type: 'bind',
    source: '/srv/conf',
    target: '/etc/app',
    readOnly: true,
  });
  for (const [text, why] of [
    ['data', /must be NAME:PATH/],
    ['data:etc', /must be absolute/],
    ['data:/', /must be absolute/],
    ['data:/a/../b', /must not contain \.\./],
    ['./data:/data', /absolute host path/],
    ['~/data:/data', /absolute host path/],
    ['x:/data', /at least 2/],
    ['data:/data:z', /unknown mode "z"/],
  ] as const) {
    expect(() => parseMount(text)).toThrow(why);
  }
});

test("env files read as docker reads them: values as written, comments skipped, a bare name from butler's environment", () => {
  const text = '# comment\n\nA=1\nB="quoted"\n  C=with = sign\nFROM_ENV\nMISSING\nEMPTY=\n';
  expect(parseEnvFile(text, 'app.env', { FROM_ENV: 'here' })).toEqual({
    A: '1',
    B: '"quoted"',
    C: 'with = sign',
    FROM_ENV: 'here',
    EMPTY: '',
  });
  // The bad line is named by number; its text (maybe a secret) is not repeated.
  expect(() => parseEnvFile('A=1\nSECRET VALUE=x\n', 'app.env', {})).toThrow(
    /^app\.env line 2 is not NAME=value$/,
  );
});
