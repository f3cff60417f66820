import { describeManifestPlugin } from '@devops-butler/contract-tests';
import { NPM_MANIFESTS, npm } from './index.js';

describeManifestPlugin('npm', npm, NPM_MANIFESTS[0]);
