import { describeBackendContract } from '@devops-butler/contract-tests';
import { dockerode } from './index.js';

describeBackendContract('dockerode', () => dockerode());
