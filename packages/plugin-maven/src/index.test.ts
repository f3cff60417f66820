import { describeManifestPlugin } from '@devops-butler/contract-tests';
import { MAVEN_MANIFESTS, maven } from './index.js';

describeManifestPlugin('maven', maven, MAVEN_MANIFESTS[0]);
