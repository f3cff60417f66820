import { describeManifestPlugin } from '@devops-butler/contract-tests';
import { pip, PIP_MANIFESTS } from './index.js';

describeManifestPlugin('pip', pip, PIP_MANIFESTS[0]);
