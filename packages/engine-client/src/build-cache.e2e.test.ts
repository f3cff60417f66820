import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { makeTree, removeRepoImages, uniqueRepo } from '@devops-butler/test-support';
import { expect, test } from 'vitest';
import { engineEndpoint } from './engine-endpoint.js';
import { buildCacheRecords, pruneBuildCacheRecord } from './engine-images.js';

const run = promisify(execFile);

test('lists the records a BuildKit build made, and prunes one by its ID and no other', async () => {
  const endpoint = engineEndpoint();
  const repo = uniqueRepo('cache-records');
  // Two steps of their own (the repo name in each command), 64 KiB written by each: records that
  // this test alone makes, found by their description whatever other tests build meanwhile.
  const step = (name: string) =>
    `RUN echo ${repo}-${name} > /${name} && dd if=/dev/zero of=/${name}.bin bs=1024 count=64 2>/dev/null`;
  const tree = await makeTree({
    Dockerfile: `FROM butler-test/busybox:latest\n${step('first')}\n${step('second')}\n`,
  });
  const ours = async () =>
    ((await buildCacheRecords(endpoint)) ?? []).filter((record) => record.description.includes(repo));
  try {
    await run('/usr/bin/docker', ['build', '-q', '-t', `${repo}:t`, tree.dir], {
      env: { ...process.env, DOCKER_BUILDKIT: '1' },
    });
    await removeRepoImages(repo); // the image held the steps' snapshots too
    const made = await ours();
    const first = made.find((record) => record.description.includes(`${repo}-first`));
    const second = made.find((record) => record.description.includes(`${repo}-second`));
    expect(first?.size).toBeGreaterThanOrEqual(64 * 1024);
    expect(second?.size).toBeGreaterThanOrEqual(64 * 1024);
    expect(second?.createdAt).toMatch(/^\d{4}-\d\d-\d\dT/);

    expect(await pruneBuildCacheRecord(endpoint, second?.id as string)).toBeGreaterThanOrEqual(64 * 1024);
    expect((await ours()).map((record) => record.id)).toEqual([first?.id]);
  } finally {
    for (const record of await ours()) await pruneBuildCacheRecord(endpoint, record.id);
    await removeRepoImages(repo);
    await tree.remove();
  }
}, 120_000);
