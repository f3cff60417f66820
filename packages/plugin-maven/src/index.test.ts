import { describeManifestPlugin } from '@devops-butler/contract-tests';
import { maven, MAVEN_MANIFESTS } from './index.js';

describeManifestPlugin('maven', maven, MAVEN_MANIFESTS[0]);
