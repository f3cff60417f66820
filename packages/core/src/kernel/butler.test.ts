import { makeTree } from '@devops-butler/test-support';
import { expect, test } from 'vitest';
import { toRequest } from '../hashing/hash-context.js';
import { Butler } from './butler.js';
import { ButlerError } from './errors.js';
import type { ButlerPlugin } from './plugin.js';

test('hooks are frozen and every one is there', () => {
  const butler = new Butler({ stateDir: '' });
  expect(Object.isFrozen(butler.hooks)).toBe(true);
  expect(Object.keys(butler.hooks)).toEqual([
    'resolveContext',
    'hash',
    'lookup',
    'build',
    'built',
    'tag',
    'cleanup',
    'done',
  ]);
});

test('an error thrown in a tap names the plugin and the hook', async () => {
  const failing: ButlerPlugin = {
    name: 'acme:broken',
    apply(butler) {
      butler.hooks.hash.tapPromise('acme:broken', async () => {
        throw new Error('boom');
      });
    },
  };
  const tree = await makeTree({ Dockerfile: 'FROM scratch\n' });
  try {
    const error = await new Butler({ plugins: [failing], stateDir: '' })
      .hash(toRequest({ context: tree.dir }))
      .catch((e: unknown) => e);
    expect(ButlerError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ plugin: 'acme:broken', hook: 'hash', message: 'boom' });
  } finally {
    await tree.remove();
  }
});

test('a plugin that taps with callbacks is refused', () => {
  const callbacky: ButlerPlugin = {
    name: 'acme:callbacks',
    apply(butler) {
      butler.hooks.tag.tapAsync('acme:callbacks', (_job, done) => done());
    },
  };
  expect(() => new Butler({ plugins: [callbacky], stateDir: '' })).toThrow(/tapPromise/);
});

test('falsy entries and nested arrays in the plugin list are accepted; duplicates are not', () => {
  const p = (name: string): ButlerPlugin => ({ name, apply: () => undefined });
  expect(
    new Butler({ plugins: [p('a'), false, [p('b'), null]], stateDir: '' }).plugins.map((x) => x.name),
  ).toEqual(['a', 'b']);
  expect(() => new Butler({ plugins: [p('a'), p('a')], stateDir: '' })).toThrow(/listed twice/);
});

test('a build without a backend says which plugin to add', async () => {
  const tree = await makeTree({ Dockerfile: 'FROM scratch\n' });
  try {
    await expect(
      new Butler({ stateDir: tree.dir }).build(toRequest({ context: tree.dir })),
    ).rejects.toMatchObject({
      code: 'NO_BACKEND',
    });
  } finally {
    await tree.remove();
  }
});

/** An engine that finds every target already built (a reuse), with `cleanup` as its cleanup. */
function reusingEngine(cleanup: () => Promise<void>): ButlerPlugin {
  const image = {
    id: 'sha256:1',
    reference: 'local-registry/app:x',
    size: 1,
    created: '2026-01-01T00:00:00Z',
    labels: {},
  };
  return {
    name: 'test:engine',
    apply(butler) {
      butler.hooks.lookup.tapPromise('test:engine', async () => image);
      butler.hooks.tag.tapPromise('test:engine', async () => undefined);
      butler.hooks.cleanup.tapPromise('test:engine', cleanup);
    },
  };
}

test('a cleanup that fails after the image is built and tagged is a warning, not a failed build', async () => {
  const tree = await makeTree({ Dockerfile: 'FROM scratch\n' });
  const stub = reusingEngine(async () => {
    throw new Error('the Docker engine closed the connection');
  });
  try {
    const warnings: string[] = [];
    const result = await new Butler({ plugins: [stub], stateDir: '' }).build(
      toRequest({ context: tree.dir }),
      {
        onEvent: (event) => event.type === 'warning' && warnings.push(event.message),
      },
    );
    expect(result.outcome).toBe('reused');
    expect(warnings).toEqual([
      expect.stringMatching(/cleanup after the build failed: .*closed the connection; run butler gc later/),
    ]);
    expect(result.warnings).toEqual(warnings);
  } finally {
    await tree.remove();
  }
});

test('a plugin speaks through its logger: the run hears log events, and its warnings are in the result', async () => {
  const tree = await makeTree({ Dockerfile: 'FROM scratch\n' });
  const image = { id: 'sha256:1', reference: 'r', size: 1, created: '', labels: {} };
  const chatty: ButlerPlugin = {
    name: 'acme:chatty',
    apply(butler) {
      const log = butler.getLogger('acme:chatty');
      butler.hooks.lookup.tapPromise('acme:chatty', async () => {
        log.info('looked in the attic', { rooms: 1 });
        log.warn('the attic is damp');
        return image;
      });
      butler.hooks.tag.tapPromise('acme:chatty', async () => undefined);
    },
  };
  try {
    const heard: unknown[] = [];
    const result = await new Butler({ plugins: [chatty], stateDir: '' }).build(
      toRequest({ context: tree.dir }),
      {
        onEvent: (event) => event.type === 'log' && heard.push(event.entry),
      },
    );
    expect(heard).toEqual([
      { level: 'info', plugin: 'acme:chatty', message: 'looked in the attic', data: { rooms: 1 } },
      { level: 'warn', plugin: 'acme:chatty', message: 'the attic is damp' },
    ]);
    expect(result.warnings).toEqual(['the attic is damp']);
    // Without a listener nothing is printed anywhere, and the warning is still in the result.
    const quiet = await new Butler({ plugins: [chatty], stateDir: '' }).build(
      toRequest({ context: tree.dir }),
    );
    expect(quiet.warnings).toEqual(['the attic is damp']);
  } finally {
    await tree.remove();
  }
});

/** A backend whose build fails with `failures` in turn, then builds. */
function flakyBackend(failures: Error[]): { plugin: ButlerPlugin; calls: () => number } {
  let calls = 0;
  const image = { id: 'sha256:2', reference: 'local-registry/app:x', size: 1, created: '', labels: {} };
  const plugin: ButlerPlugin = {
    name: 'test:flaky-engine',
    apply(butler) {
      butler.hooks.lookup.tapPromise('test:flaky-engine', async () => undefined);
      butler.hooks.build.tapPromise('test:flaky-engine', async () => {
        const failure = failures[calls++];
        if (failure) throw failure;
        return image;
      });
      butler.hooks.tag.tapPromise('test:flaky-engine', async () => undefined);
    },
  };
  return { plugin, calls: () => calls };
}

// moby's GetCachedImage, when a sibling image is removed between listing and reading it.
const raced = () =>
  new ButlerError(
    'BUILD_FAILED',
    `build failed at Step 2/4 : LABEL owner=a: unable to find image "sha256:${'5c'.repeat(32)}"`,
  );

test('builds again when the classic builder’s cache check raced an image removal, and says so', async () => {
  const tree = await makeTree({ Dockerfile: 'FROM scratch\n' });
  const backend = flakyBackend([raced()]);
  try {
    const warnings: string[] = [];
    const result = await new Butler({ plugins: [backend.plugin], stateDir: tree.dir }).build(
      toRequest({ context: tree.dir }),
      { onEvent: (event) => event.type === 'warning' && warnings.push(event.message) },
    );
    expect(result.outcome).toBe('built');
    expect(backend.calls()).toBe(2);
    expect(warnings).toEqual([
      expect.stringMatching(
        /cache check failed .*sha256:5c5c.*an image was removed meanwhile; building again/,
      ),
    ]);
    expect(result.warnings).toEqual(warnings);
  } finally {
    await tree.remove();
  }
});

test('a build that fails for its own reasons is not tried again', async () => {
  const tree = await makeTree({ Dockerfile: 'FROM scratch\n' });
  const own = new ButlerError('BUILD_FAILED', 'build failed at Step 3/4 : RUN make: exited with code 2');
  const backend = flakyBackend([own]);
  try {
    await expect(
      new Butler({ plugins: [backend.plugin], stateDir: tree.dir }).build(toRequest({ context: tree.dir })),
    ).rejects.toMatchObject({ code: 'BUILD_FAILED', message: own.message });
    expect(backend.calls()).toBe(1);
  } finally {
    await tree.remove();
  }
});

test('the race twice fails the build once, naming the plugin and what to do', async () => {
  const tree = await makeTree({ Dockerfile: 'FROM scratch\n' });
  const backend = flakyBackend([raced(), raced(), raced()]);
  try {
    await expect(
      new Butler({ plugins: [backend.plugin], stateDir: tree.dir }).build(toRequest({ context: tree.dir })),
    ).rejects.toMatchObject({
      code: 'BUILD_FAILED',
      plugin: 'test:flaky-engine',
      message: expect.stringMatching(/unable to find image "sha256:/),
      hint: expect.stringMatching(/run butler build again/),
    });
    expect(backend.calls()).toBe(2);
  } finally {
    await tree.remove();
  }
});

test("a build's duration ends when the image is tagged: the cleanup after it is not counted", async () => {
  const tree = await makeTree({ Dockerfile: 'FROM scratch\n' });
  const slowCleanup = reusingEngine(() => new Promise((r) => setTimeout(r, 400)));
  try {
    const started = Date.now();
    const result = await new Butler({ plugins: [slowCleanup], stateDir: '' }).build(
      toRequest({ context: tree.dir }),
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(400); // the cleanup did run
    expect(result.durationMs).toBeLessThan(400);
  } finally {
    await tree.remove();
  }
});
