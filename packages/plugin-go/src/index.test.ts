import { readFileSync } from 'node:fs';
import { describeEcosystem, describeManifestPlugin } from '@devops-butler/contract-tests';
import { repoRoot } from '@devops-butler/test-support';
import { GO_MANIFESTS, go } from './index.js';

describeManifestPlugin('go', go, GO_MANIFESTS[0]);

const dir = `${repoRoot()}/examples/ecosystems/go`;
const goMod = readFileSync(`${dir}/go.mod`, 'utf8');

describeEcosystem({
  ecosystem: 'go',
  factory: go,
  dir,
  direct: { 'github.com/gin-gonic/gin': 'v1.10.0', 'golang.org/x/text': 'v0.16.0' },
  transitive: { 'github.com/bytedance/sonic': 'v1.11.6', 'golang.org/x/net': 'v0.26.0' },
  reformatted: {
    'go.mod': `module   example.com/ecosystem-go-app
go 1.22
require golang.org/x/text v0.16.0
require github.com/gin-gonic/gin   v1.10.0 // the web framework
require (
    golang.org/x/net v0.25.0 // indirect
    github.com/go-playground/validator/v10 v10.20.0 // indirect
    github.com/bytedance/sonic v1.11.6 //indirect
)
replace (
  golang.org/x/net => golang.org/x/net v0.26.0
)
`,
  },
  bump: {
    files: { 'go.mod': goMod.replace('gin v1.10.0', 'gin v1.10.1') },
    name: 'github.com/gin-gonic/gin',
    to: 'v1.10.1',
  },
  unpinned: {
    files: {
      Dockerfile: 'FROM scratch\nCOPY go.mod /src/\n',
      'go.mod':
        'module m\n\nrequire (\n\tgithub.com/a/b v1.0.0\n\tgithub.com/c/d v0.0.0-20240101000000-abcdefabcdef\n)\n',
    },
    names: ['github.com/a/b', 'github.com/c/d'],
  },
  malformed: { file: 'go.mod', content: 'module m\n\nrequire (\n\tgithub.com/a/b v1.0.0\n', line: 3 },
});
