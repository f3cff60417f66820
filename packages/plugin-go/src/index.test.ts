import { describeManifestPlugin } from '@devops-butler/contract-tests';
import { GO_MANIFESTS, go } from './index.js';

describeManifestPlugin('go', go, GO_MANIFESTS[0]);
