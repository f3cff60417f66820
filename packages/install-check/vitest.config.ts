import { butlerVitestConfig } from '@devops-butler/test-support/vitest';

export default butlerVitestConfig();
