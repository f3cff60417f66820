import { describeBackendContract } from '@devops-butler/contract-tests';
import { dockerCli } from './index.js';

describeBackendContract('docker-cli', () => dockerCli());
