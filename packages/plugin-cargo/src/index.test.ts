import { describeManifestPlugin } from '@devops-butler/contract-tests';
import { cargo, CARGO_MANIFESTS } from './index.js';

describeManifestPlugin('cargo', cargo, CARGO_MANIFESTS[0]);
