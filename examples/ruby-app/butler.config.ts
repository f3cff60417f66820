import { defineConfig } from '@devops-butler/cli';
import { bundler } from 'butler-plugin-bundler';

// The built-in plugins stay; the Bundler plugin adds Ruby's dependencies to the hash and the labels.
export default defineConfig({
  repo: 'example-ruby-app',
  plugins: [bundler({ unpinned: 'strict' })],
});
