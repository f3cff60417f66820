import { describeManifestPlugin } from '@devops-butler/contract-tests';
import { CARGO_MANIFESTS, cargo } from './index.js';

describeManifestPlugin('cargo', cargo, CARGO_MANIFESTS[0]);
