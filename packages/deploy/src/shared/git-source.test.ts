import { expect, test } from 'vitest';
import { parseSource, redact, withoutCredentials } from './git-source.js';

test('repository names come from the URL; credentials never leave it', () => {
  expect(parseSource('https://user:s3cret@git.example/team/wanderlust-analysis.git', '/')).toEqual({
    kind: 'git',
    url: 'https://user:s3cret@git.example/team/wanderlust-analysis.git',
    displayUrl: 'https://git.example/team/wanderlust-analysis.git',
    repo: 'wanderlust-analysis',
  });
  expect(parseSource('git@git.example:team/Shop_API.git', '/')).toMatchObject({
    kind: 'git',
    repo: 'shop_api',
  });
  expect(parseSource('ssh://git@git.example/team/api', '/')).toMatchObject({ repo: 'api' });
  expect(parseSource('file:///srv/repos/site.git', '/')).toMatchObject({ repo: 'site' });
  expect(withoutCredentials('https://token@git.example/x.git')).toBe('https://git.example/x.git');
  expect(redact('fatal: unable to access https://u:p@host/x.git/')).toBe(
    'fatal: unable to access https://***@host/x.git/',
  );
});

test('refuses options, remote helpers and other transports with one clear line', () => {
  expect(() => parseSource('--upload-pack=touch /tmp/x', '/')).toThrow(/refusing .* starts with "-"/);
  expect(() => parseSource('ext::sh -c touch% /tmp/pwned', '/')).toThrow(/remote helper transports/);
  expect(() => parseSource('http://git.example/x.git', '/')).toThrow(/only https, ssh, git, file URLs/);
  expect(() => parseSource('ftp://git.example/x.git', '/')).toThrow(/only https, ssh, git, file URLs/);
  expect(() => parseSource('no such thing', '/tmp')).toThrow(/no folder or repository URL/);
});

test('redact hides a token given as the user part of a URL, and every URL in a message', () => {
  expect(redact('fatal: unable to access https://ghp_TOKEN123@git.example/x.git/')).toBe(
    'fatal: unable to access https://***@git.example/x.git/',
  );
  expect(redact('from https://a:b@h1/x and https://TOKEN@h2/y')).toBe(
    'from https://***@h1/x and https://***@h2/y',
  );
  expect(redact('no credentials in https://git.example/x.git')).toBe(
    'no credentials in https://git.example/x.git',
  );
});
