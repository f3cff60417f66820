import { describeManifestPlugin } from '@devops-butler/contract-tests';
import { PIP_MANIFESTS, pip } from './index.js';

describeManifestPlugin('pip', pip, PIP_MANIFESTS[0]);
