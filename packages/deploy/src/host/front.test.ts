import { expect, test } from 'vitest';
import { FRONT_REPO, frontReference } from './front.js';

const script = Buffer.from('// the proxy\n');

test("the front image's tag names what it runs, not where this machine's node lives", () => {
  const reference = frontReference('v24.22.3', 'x64', script);
  expect(reference).toMatch(new RegExp(`^${FRONT_REPO}:[0-9a-f]{12}$`));
  // Two installations of one Node (a CI clone's own toolchain, say) share the image and its tag.
  expect(frontReference('v24.22.3', 'x64', Buffer.from(script))).toBe(reference);
  // Anything the container runs differently makes another.
  expect(frontReference('v24.22.4', 'x64', script)).not.toBe(reference);
  expect(frontReference('v24.22.3', 'arm64', script)).not.toBe(reference);
  expect(frontReference('v24.22.3', 'x64', Buffer.from('// the proxy, changed\n'))).not.toBe(reference);
});
