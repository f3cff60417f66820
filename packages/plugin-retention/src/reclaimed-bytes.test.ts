import type { EngineImageSummary } from '@devops-butler/engine-client';
import { expect, test } from 'vitest';
import { reclaimedBytes, reclaimedBytesIn } from './reclaimed-bytes.js';

function image(id: string, size: number, parent = '', tags: string[] = []): EngineImageSummary {
  return {
    Id: `sha256:${id}`,
    ParentId: parent && `sha256:${parent}`,
    RepoTags: tags,
    Size: size,
    Created: 0,
    Labels: null,
  };
}

const base = image('base', 2_000_000, '', ['busybox:latest']);

test('an image without a parent (BuildKit) gives back the bytes it held alone', () => {
  const images = [base, image('app1', 2_300_000), image('app2', 2_400_000)];
  const uniqueBytes = new Map([['sha256:app1', 300_000]]);
  expect(reclaimedBytes(['sha256:app1'], { images, uniqueBytes })).toBe(300_000);
});

test("a classic build's untagged step images go with it: everything above the tagged base", () => {
  // base ← label (untagged) ← copy (untagged) ← app: the app shares all layers with its parents.
  const images = [
    base,
    image('label', 2_000_000, 'base'),
    image('copy', 2_300_000, 'label'),
    image('app', 2_300_000, 'copy'),
  ];
  const uniqueBytes = new Map([['sha256:app', 0]]);
  expect(reclaimedBytes(['sha256:app'], { images, uniqueBytes })).toBe(300_000);
});

test('a step image another image builds on stays: only what lies above it is given back', () => {
  const images = [
    base,
    image('deps', 2_500_000, 'base'),
    image('old', 2_600_000, 'deps', ['app:old']),
    image('new', 2_700_000, 'deps', ['app:new']),
  ];
  expect(reclaimedBytes(['sha256:old'], { images, uniqueBytes: new Map() })).toBe(100_000);
});

test('a tagged parent stays', () => {
  const images = [base, image('child', 2_100_000, 'base')];
  expect(reclaimedBytes(['sha256:child'], { images, uniqueBytes: new Map() })).toBe(100_000);
});

test('an image the report did not list counts nothing rather than a guess', () => {
  expect(reclaimedBytes(['sha256:unknown'], { images: [base], uniqueBytes: new Map() })).toBe(0);
});

test('one index answers for every image of a report, as one call per image would', () => {
  // 1,000 classic builds, each on the one before through an untagged step image: stats asks for each.
  const images = [base];
  for (let i = 0; i < 1000; i++) {
    images.push(image(`step${i}`, 2_000_000 + 100 * i + 50, i > 0 ? `app${i - 1}` : 'base'));
    images.push(image(`app${i}`, 2_000_000 + 100 * (i + 1), `step${i}`, [`app:${i}`]));
  }
  const before = { images, uniqueBytes: new Map<string, number>() };
  const reclaimed = reclaimedBytesIn(before);
  for (const id of ['app0', 'app1', 'app500', 'app999']) {
    expect(reclaimed([`sha256:${id}`])).toBe(100);
    expect(reclaimed([`sha256:${id}`])).toBe(reclaimedBytes([`sha256:${id}`], before));
  }
});
