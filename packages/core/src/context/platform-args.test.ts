import { makeTree } from '@devops-butler/test-support';
import { expect, test } from 'vitest';
import { hashContext } from '../hashing/hash-context.js';

const FILES = {
  'dist/amd64/app': 'amd64 build\n',
  'dist/arm64/app': 'arm64 build\n',
  'dist/linux/arm64/traefik': 'arm64 binary\n',
  'dist/traefik': 'what the classic builder reads\n',
  'README.md': 'not copied\n',
};

async function hashed(dockerfile: string, platform: string | undefined, edits: Record<string, string> = {}) {
  const tree = await makeTree({ ...FILES, ...edits, Dockerfile: dockerfile });
  try {
    const { inputs, digest, hashed: h } = await hashContext({ context: tree.dir, platform });
    return { files: inputs.files.map((f) => f.path).filter((p) => p !== 'Dockerfile'), digest, h };
  } finally {
    await tree.remove();
  }
}

test('ARG TARGETARCH with a default: both the platform BuildKit copies and the default the classic builder copies are hashed', async () => {
  const dockerfile = 'FROM scratch\nARG TARGETARCH\nCOPY dist/${TARGETARCH:-amd64}/app /app\n';
  const arm = await hashed(dockerfile, 'linux/arm64');
  expect(arm.files.sort()).toEqual(['dist/amd64/app', 'dist/arm64/app']);
  expect(arm.h.context.wholeContext).toBe(false);
  expect(arm.h.context.notes.join('\n')).toMatch(
    /TARGETARCH: BuildKit sets it \(for linux\/arm64\), the classic builder does not/,
  );
  // An edit to the arm64 file (what BuildKit copies for --platform linux/arm64) is a new hash.
  const edited = await hashed(dockerfile, 'linux/arm64', { 'dist/arm64/app': 'arm64 build, fixed\n' });
  expect(edited.digest).not.toBe(arm.digest);
});

test('$TARGETPLATFORM without a default no longer hashes the whole context: the file each builder copies is', async () => {
  const result = await hashed(
    'FROM scratch\nARG TARGETPLATFORM\nCOPY ./dist/$TARGETPLATFORM/traefik /\n',
    'linux/arm64',
  );
  expect(result.h.context.wholeContext).toBe(false);
  expect(result.files.sort()).toEqual(['dist/linux/arm64/traefik', 'dist/traefik']);
});

test('a platform ARG given as a build arg is that value for both builders; an undeclared one means nothing', async () => {
  const tree = await makeTree({
    ...FILES,
    Dockerfile: 'FROM scratch\nARG TARGETARCH\nCOPY dist/${TARGETARCH:-amd64}/app /app\n',
  });
  try {
    const { inputs } = await hashContext({ context: tree.dir, buildArgs: { TARGETARCH: 'arm64' } });
    expect(inputs.files.map((f) => f.path).filter((p) => p !== 'Dockerfile')).toEqual(['dist/arm64/app']);
  } finally {
    await tree.remove();
  }
  // Not declared with ARG: unset for both builders, so its default.
  const undeclared = await hashed('FROM scratch\nCOPY dist/${TARGETARCH:-amd64}/app /app\n', 'linux/arm64');
  expect(undeclared.files).toEqual(['dist/amd64/app']);
});
