import { expect, test } from 'vitest';
import { parseRegistry, repositoryPath } from './registry-name.js';
import { samePlatform } from './remote-cache.js';

test('a registry setting splits into host and namespace; loopback hosts speak plain HTTP', () => {
  expect(parseRegistry('127.0.0.1:5000/team')).toEqual({
    host: '127.0.0.1:5000',
    namespace: 'team',
    baseUrl: 'http://127.0.0.1:5000',
  });
  expect(parseRegistry('registry.example.com/org/team')).toMatchObject({
    namespace: 'org/team',
    baseUrl: 'https://registry.example.com',
  });
  expect(repositoryPath(parseRegistry('localhost:5000'), 'app')).toBe('app');
  expect(repositoryPath(parseRegistry('localhost:5000/team'), 'app')).toBe('team/app');
});

test('local-registry and invalid names are refused with what to set instead', () => {
  expect(() => parseRegistry('local-registry')).toThrow(
    '"local-registry" is the local-only name, not a registry',
  );
  expect(() => parseRegistry('Bad Host/x')).toThrow('invalid registry "Bad Host/x"');
});

test('platforms match on os and architecture, and on the variant when both name one', () => {
  expect(samePlatform('linux/amd64', 'linux/amd64')).toBe(true);
  expect(samePlatform('linux/arm64/v8', 'linux/arm64')).toBe(true);
  expect(samePlatform('linux/arm/v7', 'linux/arm/v6')).toBe(false);
  expect(samePlatform('linux/arm64', 'linux/amd64')).toBe(false);
  expect(samePlatform('windows/amd64', 'linux/amd64')).toBe(false);
});
