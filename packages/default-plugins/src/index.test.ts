import { npm } from '@devops-butler/plugin-npm';
import { expect, test } from 'vitest';
import { offlinePlugins, withConfigPlugins } from './index.js';

const names = (plugins: ReturnType<typeof withConfigPlugins>) =>
  plugins.map((plugin) => (plugin ? (plugin as { name: string }).name : ''));

test('a config plugin with a built-in name configures that built-in instead of doubling it', () => {
  const extra = { name: 'acme:extra', apply: () => undefined };
  const plugins = withConfigPlugins(offlinePlugins(), {
    plugins: [npm({ unpinned: 'strict' }), false, [extra]],
  });
  expect(names(plugins)).toEqual([
    'butler:pip',
    'butler:maven',
    'butler:go',
    'butler:cargo',
    'butler:composer',
    'butler:npm',
    'acme:extra',
  ]);
});

test('replaceDefaultPlugins keeps only the config plugins', () => {
  const plugins = withConfigPlugins(offlinePlugins(), { plugins: [npm()], replaceDefaultPlugins: true });
  expect(names(plugins)).toEqual(['butler:npm']);
});
