import { defineConfig } from 'vitest/config';

// A third-party plugin tests with plain vitest and the published @devops-butler/core: no engine needed.
export default defineConfig({ test: { include: ['src/**/*.test.ts'] } });
