import { expect, test } from 'vitest';
import { parseCargoToml } from './cargo-files.js';

test('renames, git sources, target-specific and workspace-inherited dependencies; path crates left out', () => {
  const declared = parseCargoToml(`
[workspace.dependencies]
anyhow = "1.0"

[dependencies]
anyhow = { workspace = true }
json = { package = "serde_json", version = "1.0.117" }
mylib = { git = "https://example.invalid/mylib.git", rev = "abc123" }
sibling = { path = "../sibling" }

[target.'cfg(unix)'.dependencies]
libc = "0.2"
`);
  expect(Object.fromEntries(declared)).toEqual({
    anyhow: '1.0',
    serde_json: '1.0.117',
    mylib: 'https://example.invalid/mylib.git#abc123',
    libc: '0.2',
  });
});
