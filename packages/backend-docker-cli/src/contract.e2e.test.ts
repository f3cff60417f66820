import { describeBackendContract } from '@devops-butler/backend-contract';
import { dockerCli } from './index.js';

describeBackendContract('docker-cli', () => dockerCli());
