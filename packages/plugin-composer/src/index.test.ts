import { describeManifestPlugin } from '@devops-butler/contract-tests';
import { composer, COMPOSER_MANIFESTS } from './index.js';

describeManifestPlugin('composer', composer, COMPOSER_MANIFESTS[0]);
