import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { endpointFromHost, engineEndpoint } from './engine-endpoint.js';
import { endpointAddress, isLocalEndpoint } from './engine-transport.js';

test('DOCKER_HOST forms as docker reads them: unix, tcp (2375), TLS (2376), ssh with user and port', () => {
  expect(endpointFromHost('unix:///run/docker.sock', undefined)).toEqual({ socketPath: '/run/docker.sock' });
  expect(endpointFromHost('tcp://10.0.0.5', undefined)).toEqual({ host: '10.0.0.5', port: 2375 });
  expect(endpointFromHost('tcp://10.0.0.5', { verify: true })).toEqual({
    host: '10.0.0.5',
    port: 2376,
    tls: { verify: true },
  });
  expect(endpointFromHost('ssh://deploy@app1:2222', undefined, {})).toEqual({
    ssh: { host: 'app1', user: 'deploy', port: 2222 },
  });
  expect(endpointAddress(endpointFromHost('ssh://deploy@app1:2222', undefined, {}))).toBe(
    'ssh://deploy@app1:2222',
  );
  expect(() => endpointFromHost('nonsense', undefined)).toThrow(
    'DOCKER_HOST="nonsense" is not an engine address',
  );
});

test('only an engine on this machine is local (deploy needs that)', () => {
  expect(isLocalEndpoint({ socketPath: '/var/run/docker.sock' })).toBe(true);
  expect(isLocalEndpoint({ host: '127.0.0.1', port: 2375 })).toBe(true);
  expect(isLocalEndpoint({ host: '10.0.0.5', port: 2375 })).toBe(false);
  expect(isLocalEndpoint({ ssh: { host: 'localhost' } })).toBe(false);
});

test('precedence: DOCKER_HOST, then DOCKER_CONTEXT, then the config’s current context, then the socket', () => {
  const config = mkdtempSync(join(tmpdir(), 'butler-contexts-'));
  try {
    const id = createHash('sha256').update('prod').digest('hex');
    mkdirSync(join(config, 'contexts/meta', id), { recursive: true });
    writeFileSync(
      join(config, 'contexts/meta', id, 'meta.json'),
      JSON.stringify({ Name: 'prod', Endpoints: { docker: { Host: 'ssh://ops@prod-1' } } }),
    );
    writeFileSync(join(config, 'config.json'), JSON.stringify({ currentContext: 'prod' }));
    const env = { DOCKER_CONFIG: config };
    expect(engineEndpoint(env)).toEqual({ ssh: { host: 'prod-1', user: 'ops' } });
    expect(engineEndpoint({ ...env, DOCKER_CONTEXT: 'default' })).toEqual({
      socketPath: '/var/run/docker.sock',
    });
    expect(engineEndpoint({ ...env, DOCKER_HOST: 'tcp://127.0.0.1:2375' })).toEqual({
      host: '127.0.0.1',
      port: 2375,
    });
    expect(() => engineEndpoint({ ...env, DOCKER_CONTEXT: 'staging' })).toThrow(
      'there is no docker context named "staging"',
    );
    writeFileSync(join(config, 'config.json'), '{}');
    expect(engineEndpoint(env)).toEqual({ socketPath: '/var/run/docker.sock' });
  } finally {
    rmSync(config, { recursive: true, force: true });
  }
});

test('DOCKER_TLS_VERIFY without a ca.pem where DOCKER_CERT_PATH points is one clear error', () => {
  expect(() =>
    engineEndpoint({
      DOCKER_HOST: 'tcp://10.0.0.5:2376',
      DOCKER_TLS_VERIFY: '1',
      DOCKER_CERT_PATH: '/nonexistent',
    }),
  ).toThrow('DOCKER_TLS_VERIFY is set but /nonexistent/ca.pem does not exist');
});
