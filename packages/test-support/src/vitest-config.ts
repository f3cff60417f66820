import { fileURLToPath } from 'node:url';
import { defineConfig, type ViteUserConfig } from 'vitest/config';

const globalSetup = fileURLToPath(new URL('./global-setup.js', import.meta.url));

/**
 * The one vitest config every package uses: a fast `unit` project (`*.test.ts`, no engine) and an
 * `e2e` project (`*.e2e.test.ts`) whose global setup fails the run when no Docker engine answers.
 */
export function butlerVitestConfig(): ViteUserConfig {
  return defineConfig({
    test: {
      // The CLI's config loader (packages/cli/loader/*.mjs) must run in Node's own module loader,
      // with its module hooks, exactly as the published CLI does.
      server: { deps: { external: [/\/packages\/cli\/loader\/[^/]+\.mjs$/] } },
      projects: [
        {
          extends: true,
          test: {
            name: 'unit',
            include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
            exclude: ['**/*.e2e.test.ts', '**/node_modules/**', '**/dist/**'],
          },
        },
        {
          extends: true,
          test: {
            name: 'e2e',
            include: ['src/**/*.e2e.test.ts', 'test/**/*.e2e.test.ts'],
            globalSetup: [globalSetup],
            testTimeout: 180_000,
            hookTimeout: 180_000,
            // Engine builds are CPU-bound on a 2-core machine: one e2e file at a time per package.
            fileParallelism: false,
          },
        },
      ],
    },
  });
}
