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

test('under BuildKit only BuildKit’s platform values count: an edit to what the classic builder would copy is no rebuild', async () => {
  const dockerfile = 'FROM scratch\nARG TARGETPLATFORM\nCOPY ./dist/$TARGETPLATFORM/traefik /\n';
  const tree = await makeTree({ ...FILES, Dockerfile: dockerfile });
  try {
    const first = await hashContext({ context: tree.dir, platform: 'linux/arm64', builder: 'buildkit' });
    expect(first.inputs.files.map((f) => f.path).filter((p) => p !== 'Dockerfile')).toEqual([
      'dist/linux/arm64/traefik',
    ]);
    expect(first.hashed.context.notes).toEqual([]);
    await tree.write({ 'dist/traefik': 'changed, but BuildKit never copies it\n' });
    const second = await hashContext({ context: tree.dir, platform: 'linux/arm64', builder: 'buildkit' });
    expect(second.digest).toBe(first.digest);
    // The classic builder reads only its own (empty-valued) path; and the builder itself is an input.
    const classic = await hashContext({ context: tree.dir, platform: 'linux/arm64', builder: 'classic' });
    expect(classic.inputs.files.map((f) => f.path).filter((p) => p !== 'Dockerfile')).toEqual([
      'dist/traefik',
    ]);
    expect(classic.digest).not.toBe(first.digest);
  } finally {
    await tree.remove();
  }
});

test('a # syntax= frontend is a dependency under BuildKit (and unknown builders), not under the classic builder', async () => {
  const tree = await makeTree({ Dockerfile: '# syntax=docker/dockerfile:1.7\n# escape=\\\nFROM base:1\n' });
  try {
    const images = async (builder?: 'buildkit' | 'classic') =>
      (await hashContext({ context: tree.dir, builder })).hashed.context.images.map((i) => i.reference);
    expect(await images('buildkit')).toEqual(['base:1', 'docker/dockerfile:1.7']);
    expect(await images(undefined)).toEqual(['base:1', 'docker/dockerfile:1.7']);
    expect(await images('classic')).toEqual(['base:1']);
  } finally {
    await tree.remove();
  }
  // A directive after the first comment or instruction is no directive (Docker's rule).
  const late = await makeTree({ Dockerfile: 'FROM base:1\n# syntax=docker/dockerfile:1.7\n' });
  try {
    expect((await hashContext({ context: late.dir })).hashed.context.images.map((i) => i.reference)).toEqual([
      'base:1',
    ]);
  } finally {
    await late.remove();
  }
});
