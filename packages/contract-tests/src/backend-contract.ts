import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  type Builder,
  type BuildRequest,
  type BuildResult,
  type ButlerPlugin,
  createButler,
  LABELS,
  toRequest as toBuildRequest,
} from '@devops-butler/core';
import { repoTags, useEngineFixture } from '@devops-butler/test-support';
import { describe, expect, test } from 'vitest';

const run = promisify(execFile);

// Every test Dockerfile starts with the fixture's `from`: its own owner label finds its untagged
// leftovers, and it shares no build cache with a test running in parallel (the classic builder
// fails a build whose cached parent layer another test's `docker rmi` just deleted).
const APP = {
  Dockerfile: 'ARG FLAVOR=plain\nCOPY app/ /app/\nCOPY run.sh /run.sh\nRUN echo "$FLAVOR" > /flavor\n',
  '.dockerignore': 'app/*.log\n',
  'app/main.txt': 'v1\n',
  'app/debug.log': 'noise\n',
  'run.sh': '#!/bin/sh\necho hi\n',
  'README.md': 'not copied by any COPY\n',
};

/** A plugin that rewrites a context file `delayMs` after the build hook starts (before the backend runs). */
function editDuringBuild(context: string, file: string, delayMs: number): ButlerPlugin {
  return {
    name: 'test:edit-during-build',
    apply(butler) {
      butler.hooks.build.tapPromise({ name: 'test:edit-during-build', stage: -100 }, async () => {
        const edit = () => appendFileSync(join(context, file), 'edited after hashing\n');
        if (delayMs === 0) edit();
        else setTimeout(edit, delayMs);
        return undefined;
      });
    },
  };
}

/** What `docker image inspect` says a reference points to, or undefined. */
async function imageIdOf(reference: string): Promise<string | undefined> {
  try {
    const { stdout } = await run('docker', ['image', 'inspect', '--format', '{{.Id}}', reference]);
    return stdout.trim();
  } catch {
    return undefined;
  }
}

/**
 * The behaviour every backend must show against the real engine: reuse when nothing that enters
 * the image changed, rebuild when something did, tags that move only after success.
 */
export function describeBackendContract(
  label: string,
  backend: () => ButlerPlugin,
  options: { builder?: Builder } = {},
): void {
  describe(`${label}: reuse or build against the real engine`, () => {
    const fx = useEngineFixture(label, ({ from }) => ({ ...APP, Dockerfile: `${from}${APP.Dockerfile}` }));
    // Every request of the suite names the builder under test (undefined: the backend's default).
    const toRequest = (request: Parameters<typeof toBuildRequest>[0]) =>
      toBuildRequest({ ...(options.builder ? { builder: options.builder } : {}), ...request });

    const build = (extra: Partial<BuildRequest> = {}): Promise<BuildResult> =>
      createButler({ plugins: [backend()], stateDir: fx.stateDir }).build(
        toRequest({ context: fx.tree.dir, repo: fx.repo, ...extra }),
      );

    test('builds once, then reuses the same image when nothing changed', async () => {
      const first = await build();
      expect(first.outcome).toBe('built');
      const second = await build();
      expect(second.outcome).toBe('reused');
      expect(second.image.id).toBe(first.image.id);
      expect(await imageIdOf(`local-registry/${fx.repo}:latest`)).toBe(first.image.id);
      expect(await imageIdOf(`local-registry/${fx.repo}:${first.target.tag}`)).toBe(first.image.id);
    });

    test('labels the image with the full content hash and the managed marker', async () => {
      const result = await build();
      const { stdout } = await run('docker', [
        'image',
        'inspect',
        '--format',
        '{{json .Config.Labels}}',
        result.image.id,
      ]);
      const labels = JSON.parse(stdout) as Record<string, string>;
      expect(labels[LABELS.contentHash]).toBe(`sha256:${result.target.digest}`);
      expect(labels[LABELS.managed]).toBe('true');
      expect(result.target.tag).toBe(result.target.digest.slice(0, 12));
    });

    test('rebuilds when a copied source file changes', async () => {
      const first = await build();
      await fx.tree.write({ 'app/main.txt': 'v2\n' });
      const second = await build();
      expect(second.outcome).toBe('built');
      expect(second.target.tag).not.toBe(first.target.tag);
      const { stdout } = await run('docker', ['run', '--rm', second.image.id, 'cat', '/app/main.txt']);
      expect(stdout).toBe('v2\n');
    });

    test('reuses the image when only an ignored file changed', async () => {
      const first = await build();
      await fx.tree.write({ 'app/debug.log': 'other noise\n' });
      const second = await build();
      expect(second.outcome).toBe('reused');
      expect(second.image.id).toBe(first.image.id);
    });

    test('reuses the image when a file no COPY reaches changed', async () => {
      const first = await build();
      await fx.tree.write({ 'README.md': 'edited\n' });
      expect((await build()).image.id).toBe(first.image.id);
    });

    test('rebuilds when a copied file becomes executable', async () => {
      const first = await build();
      await fx.tree.write({ 'run.sh': { content: APP['run.sh'], mode: 0o755 } });
      const second = await build();
      expect(second.outcome).toBe('built');
      expect(second.target.tag).not.toBe(first.target.tag);
    });

    test('rebuilds when a build arg changes', async () => {
      await build({ buildArgs: { FLAVOR: 'plain' } });
      const second = await build({ buildArgs: { FLAVOR: 'spicy' } });
      expect(second.outcome).toBe('built');
      const { stdout } = await run('docker', ['run', '--rm', second.image.id, 'cat', '/flavor']);
      expect(stdout.trim()).toBe('spicy');
    });

    test('rebuilds when only whitespace in the Dockerfile changed', async () => {
      const first = await build();
      await fx.tree.write({ Dockerfile: `${fx.from}${APP.Dockerfile}\n` });
      const second = await build();
      expect(second.outcome).toBe('built');
      expect(second.target.tag).not.toBe(first.target.tag);
    });

    test('follows COPY --from into the builder stage of a multi-stage build', async () => {
      await fx.tree.write({
        Dockerfile:
          `${fx.from.replace('\n', ' AS builder\n')}COPY app/ /src/\nRUN cat /src/main.txt > /out.txt\n` +
          `${fx.from}COPY --from=builder /out.txt /out.txt\n`,
      });
      const first = await build();
      await fx.tree.write({ 'README.md': 'unrelated\n' });
      expect((await build()).outcome).toBe('reused');
      await fx.tree.write({ 'app/main.txt': 'v3\n' });
      const third = await build();
      expect(third.outcome).toBe('built');
      expect(third.target.tag).not.toBe(first.target.tag);
      const { stdout } = await run('docker', ['run', '--rm', third.image.id, 'cat', '/out.txt']);
      expect(stdout).toBe('v3\n');
    });

    test('a failed build tags nothing and leaves latest where it was', async () => {
      const good = await build();
      await fx.tree.write({ Dockerfile: `${fx.from}${APP.Dockerfile}RUN exit 3\n` });
      await expect(build()).rejects.toMatchObject({ code: 'BUILD_FAILED' });
      expect(await imageIdOf(`local-registry/${fx.repo}:latest`)).toBe(good.image.id);
      const tags = await repoTags(`local-registry/${fx.repo}`);
      expect(tags.sort()).toEqual([good.target.tag, 'latest'].sort());
    });

    test('force rebuilds even when the image exists', async () => {
      await build();
      expect((await build({ force: true })).outcome).toBe('forced');
    });

    test('a file edited after hashing is never sent under the old hash: the build stops, naming it', async () => {
      const editor = editDuringBuild(fx.tree.dir, 'app/main.txt', 0);
      await expect(
        createButler({ plugins: [editor, backend()], stateDir: fx.stateDir }).build(
          toRequest({ context: fx.tree.dir, repo: fx.repo }),
        ),
      ).rejects.toMatchObject({
        code: 'CONTEXT_CHANGED',
        message: expect.stringContaining('"app/main.txt" changed after it was hashed'),
      });
      expect(await repoTags(`local-registry/${fx.repo}`)).toEqual([]);
    });

    test('files edited while a large context streams: either the build stops, or the image holds the hashed bytes', async () => {
      const big = Object.fromEntries(
        Array.from({ length: 20 }, (_, i) => [`app/big/f${i}`, Buffer.alloc(1 << 20, i)]),
      );
      await fx.tree.write(big);
      for (const [round, delay] of [5, 40, 120].entries()) {
        const file = `app/big/f${19 - round * 3}`;
        const original = createHash('sha256')
          .update(big[file] as Buffer)
          .digest('hex');
        const plugins = [editDuringBuild(fx.tree.dir, file, delay), backend()];
        const outcome = await createButler({ plugins, stateDir: fx.stateDir })
          .build(toRequest({ context: fx.tree.dir, repo: fx.repo }))
          .catch((error: { code?: string; message: string }) => error);
        if ('code' in outcome) {
          expect(outcome.code).toBe('CONTEXT_CHANGED');
          expect(outcome.message).toContain(file);
        } else {
          const { stdout } = await run('docker', [
            'run',
            '--rm',
            (outcome as BuildResult).image.id,
            'sha256sum',
            `/${file}`,
          ]);
          expect(stdout.split(' ')[0]).toBe(original);
        }
        await fx.tree.write({ [file]: big[file] as Buffer });
      }
    });

    test('two builds of the same inputs at once make one engine build', async () => {
      const results = await Promise.all([build(), build()]);
      expect(results.map((r) => r.outcome).sort()).toEqual(['built', 'reused']);
      expect(results[0]?.image.id).toBe(results[1]?.image.id);
    });
  });
}
