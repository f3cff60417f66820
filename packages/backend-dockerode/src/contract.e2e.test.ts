import { describeBackendContract } from '@devops-butler/contract-tests';
import Dockerode from 'dockerode';
import { dockerode } from './index.js';

// Plain HTTP on the local socket: the path every default build takes.
describeBackendContract('dockerode', () => dockerode());
// A client passed in (as for ssh:// or TLS endpoints): every call goes through dockerode.
describeBackendContract('dockerode-client', () => dockerode({ docker: new Dockerode() }));
