import { describeManifestPlugin } from '@devops-butler/contract-tests';
import { npm, NPM_MANIFESTS } from './index.js';

describeManifestPlugin('npm', npm, NPM_MANIFESTS[0]);
