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
  const tree = await makeTree({
    // A step of its own (the repo name in it), 64 KiB written: a record no other build shares.
    Dockerfile: `FROM butler-test/busybox:latest\nRUN echo ${repo} > /u && dd if=/dev/zero of=/z bs=1024 count=64 2>/dev/null\n`,
  });
  try {
    const before = new Set((await buildCacheRecords(endpoint))?.map((record) => record.id));
    await run('/usr/bin/docker', ['build', '-q', '-t', `${repo}:t`, tree.dir], {
      env: { ...process.env, DOCKER_BUILDKIT: '1' },
    });
    await removeRepoImages(repo);
    const made = (await buildCacheRecords(endpoint))?.filter((record) => !before.has(record.id)) ?? [];
    const step = made.find((record) => record.size >= 64 * 1024);
    const others = made.filter((record) => record !== step);
    expect(step, 'the RUN step left a record of 64 KiB or more').toBeDefined();
    expect(others.length).toBeGreaterThan(0); // the context and the Dockerfile sent
    expect(step?.createdAt).toMatch(/^\d{4}-\d\d-\d\dT/);

    expect(await pruneBuildCacheRecord(endpoint, step?.id as string)).toBeGreaterThanOrEqual(64 * 1024);
    const left = new Set((await buildCacheRecords(endpoint))?.map((record) => record.id));
    expect(left.has(step?.id as string)).toBe(false);
    for (const record of others) expect(left.has(record.id)).toBe(true);
    for (const record of others) await pruneBuildCacheRecord(endpoint, record.id);
  } finally {
    await removeRepoImages(repo);
    await tree.remove();
  }
}, 120_000);
