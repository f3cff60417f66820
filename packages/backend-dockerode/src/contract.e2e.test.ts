import { describeBackendContract } from '@devops-butler/contract-tests';
import Dockerode from 'dockerode';
import { dockerode } from './index.js';

// Plain HTTP on the local socket: the path every default build takes, with BuildKit (the default
// wherever the engine has it) and with the classic builder (older engines, DOCKER_BUILDKIT=0).
describeBackendContract('dockerode', () => dockerode(), { builder: 'buildkit' });
describeBackendContract('dockerode-classic', () => dockerode(), { builder: 'classic' });
// A client passed in (as for ssh:// or TLS endpoints): every call goes through dockerode.
describeBackendContract('dockerode-client', () => dockerode({ docker: new Dockerode() }), {
  builder: 'buildkit',
});
