import { describeManifestPlugin } from '@devops-butler/contract-tests';
import { go, GO_MANIFESTS } from './index.js';

describeManifestPlugin('go', go, GO_MANIFESTS[0]);
