import { describeBackendContract } from '@devops-butler/backend-contract';
import { dockerode } from './index.js';

describeBackendContract('dockerode', () => dockerode());
