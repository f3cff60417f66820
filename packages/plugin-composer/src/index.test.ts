import { describeManifestPlugin } from '@devops-butler/contract-tests';
import { COMPOSER_MANIFESTS, composer } from './index.js';

describeManifestPlugin('composer', composer, COMPOSER_MANIFESTS[0]);
