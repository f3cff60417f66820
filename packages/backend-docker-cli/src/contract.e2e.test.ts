import { describeBackendContract } from '@devops-butler/contract-tests';
import { dockerCli } from './index.js';

// The docker first on PATH here (28.x, no buildx) builds with the classic builder only; Debian's
// 20.10 CLI has BuildKit built in (DOCKER_BUILDKIT=1, no buildx needed).
describeBackendContract('docker-cli', () => dockerCli(), { builder: 'classic' });
describeBackendContract('docker-cli-buildkit', () => dockerCli({ binary: '/usr/bin/docker' }), {
  builder: 'buildkit',
});
