import { readFileSync } from 'node:fs';
import { describeEcosystem, describeManifestPlugin, reorderTomlLock } from '@devops-butler/contract-tests';
import { repoRoot } from '@devops-butler/test-support';
import { CARGO_MANIFESTS, cargo } from './index.js';

describeManifestPlugin('cargo', cargo, CARGO_MANIFESTS[0]);

const dir = `${repoRoot()}/examples/ecosystems/cargo`;
const lock = readFileSync(`${dir}/Cargo.lock`, 'utf8');

describeEcosystem({
  ecosystem: 'cargo',
  factory: cargo,
  dir,
  direct: { serde: '1.0.203', tokio: '1.38.0', pretty_assertions: '1.4.0' },
  transitive: { diff: '0.1.13', 'pin-project-lite': '0.2.14' },
  reformatted: {
    'Cargo.toml':
      '[dev-dependencies]\npretty_assertions="1.4"\n[dependencies.tokio]\nversion="1.38"\nfeatures=["rt","macros"]\n[dependencies]\nserde={version="1.0",features=["derive"]}\n[package]\nname="ecosystem-cargo-app"\nversion="0.1.0"\nedition="2021"\n',
    'Cargo.lock': reorderTomlLock(lock),
  },
  bump: {
    files: { 'Cargo.lock': lock.replace('version = "1.0.203"', 'version = "1.0.204"') },
    name: 'serde',
    to: '1.0.204',
  },
  unpinned: {
    files: {
      Dockerfile: 'FROM scratch\nCOPY Cargo.toml /src/\n',
      'Cargo.toml':
        '[package]\nname="x"\nversion="0.1.0"\n[dependencies]\nrand="0.8"\nmylib={git="https://example.invalid/mylib.git",branch="main"}\n',
    },
    names: ['mylib', 'rand'],
  },
  malformed: { file: 'Cargo.lock', content: 'version = 4\n\n[[package]\nname = "serde"\n', line: 3 },
});
