import type { BuildResult, ImageTarget } from '@devops-butler/core';
import { expect, test } from 'vitest';
import type { CliIo } from './io.js';
import { createReporter, printBuildResult } from './output.js';

function io(isTTY: boolean): { io: CliIo; out: () => string } {
  let out = '';
  const stream = {
    isTTY,
    columns: 40,
    write: (chunk: string) => {
      out += chunk;
      return true;
    },
  };
  return {
    io: { stdout: stream as never, stderr: stream as never, env: {}, cwd: '/' },
    out: () => out,
  };
}

const target = {
  reference: 'local-registry/app:0123456789ab',
  latest: 'local-registry/app:latest',
} as ImageTarget;

const image = {
  id: 'sha256:abc123def4567890abc123def4567890abc123def4567890abc123def4567890',
  reference: target.reference,
  size: 245_300_000,
  created: '2024-01-15T10:30:45.123456789Z',
  labels: {},
};

test("a reuse prints the original tool's lines, in its order, with the real values", () => {
  const t = io(false);
  const report = createReporter(t.io);
  report({ type: 'hashing' });
  report({ type: 'target', target, files: 3, wholeContext: false });
  report({ type: 'lookup' });
  report({ type: 'reuse', reference: target.reference, origin: 'engine', image });
  expect(t.out()).toBe(
    [
      '🔍 Calculating build context hash...',
      '📦 Target image: local-registry/app:0123456789ab',
      '🔍 Checking for existing images...',
      `🔍 Found existing image: local-registry/app:0123456789ab (ID: ${image.id}, Created: 2024-01-15T10:30:45Z)`,
      '📊 Image info: ID=abc123def456, Size=245.3MB, Created=2024-01-15T10:30',
      '♻️ Reusing existing image: local-registry/app:0123456789ab',
      '⚡ Build skipped - using cached image!',
      '',
    ].join('\n'),
  );
});

test("a build prints the original tool's lines, in its order, with the real values", () => {
  const t = io(false);
  const report = createReporter(t.io);
  report({ type: 'hashing' });
  report({ type: 'target', target, files: 3, wholeContext: false });
  report({ type: 'lookup' });
  report({ type: 'build-start', forced: false });
  report.finish();
  const built = { ...image, size: 247_000_000, created: '2024-01-15T11:45:22.5Z' };
  printBuildResult(
    {
      outcome: 'built',
      target,
      image: built,
      metadata: {},
      notes: [],
      durationMs: 5,
    } as unknown as BuildResult,
    t.io,
  );
  expect(t.out().split('\n').slice(0, 8)).toEqual([
    '🔍 Calculating build context hash...',
    '📦 Target image: local-registry/app:0123456789ab',
    '🔍 Checking for existing images...',
    '🔨 No suitable existing image found, building new image...',
    '🔧 Building image: local-registry/app:0123456789ab',
    '⚙️ Running docker build...',
    '✅ Docker build completed successfully!',
    '📊 Image ID: abc123def456, Size: 247MB, Created: 2024-01-15T11:45:22',
  ]);
});

test('on a terminal the engine output is one status line that rewrites itself', () => {
  const t = io(true);
  const report = createReporter(t.io, 'normal', () => 0);
  report({ type: 'target', target, files: 1, wholeContext: false });
  report({ type: 'build-start', forced: false });
  report({ type: 'build-output', line: 'Step 1/2 : FROM butler-test/busybox' });
  report({ type: 'build-output', line: `Step 2/2 : COPY ${'x'.repeat(80)}` });
  report.finish();
  expect(t.out()).toBe(
    '📦 Target image: local-registry/app:0123456789ab\n' +
      '🔨 No suitable existing image found, building new image...\n' +
      '🔧 Building image: local-registry/app:0123456789ab\n' +
      '⚙️ Running docker build...\n' +
      `\r\x1b[2K   ${'[1/2 0s] Step 1/2 : FROM butler-test/busybox'.slice(0, 36)}` +
      `\r\x1b[2K   ${`[2/2 0s] Step 2/2 : COPY ${'x'.repeat(80)}`.slice(0, 36)}\n`,
  );
});

test('in a log (no terminal) and with --verbose every line is printed', () => {
  for (const [tty, verbosity] of [
    [false, 'normal'],
    [true, 'verbose'],
  ] as const) {
    const t = io(tty);
    const report = createReporter(t.io, verbosity);
    report({ type: 'build-output', line: 'Step 1/2 : FROM a' });
    report({ type: 'build-output', line: 'Step 2/2 : COPY b /b' });
    report.finish();
    expect(t.out()).toBe('   Step 1/2 : FROM a\n   Step 2/2 : COPY b /b\n');
  }
});

test('--quiet prints the image reference and nothing else', () => {
  const t = io(false);
  const report = createReporter(t.io, 'quiet');
  report({ type: 'hashing' });
  report({ type: 'reuse', reference: target.reference, origin: 'engine', image });
  printBuildResult(
    { outcome: 'reused', target, metadata: {}, notes: [], durationMs: 5 } as unknown as BuildResult,
    t.io,
    'quiet',
  );
  expect(t.out()).toBe('local-registry/app:0123456789ab\n');
});

const progress = (message: string) =>
  ({ type: 'log', entry: { level: 'progress', plugin: 'butler:remote-cache', message } }) as const;

test('transfer progress in a log: a line every 5 s at most; on a terminal one line that rewrites itself', () => {
  let clock = 0;
  const log = io(false);
  const report = createReporter(log.io, 'normal', () => clock);
  for (let second = 0; second <= 12; second++) {
    clock = second * 1000;
    report(progress(`⬇️ Pulling x: ${second} of 12 layers`));
  }
  expect(log.out().trimEnd().split('\n')).toEqual([
    '   ⬇️ Pulling x: 0 of 12 layers',
    '   ⬇️ Pulling x: 5 of 12 layers',
    '   ⬇️ Pulling x: 10 of 12 layers',
  ]);

  const tty = io(true);
  const live = createReporter(tty.io, 'normal', () => clock);
  live(progress('⬇️ Pulling x: 1 of 2 layers'));
  live(progress('⬇️ Pulling x: 2 of 2 layers'));
  live.finish();
  expect(tty.out()).toBe('\r\x1b[2K   ⬇️ Pulling x: 1 of 2 layers\r\x1b[2K   ⬇️ Pulling x: 2 of 2 layers\n');
  // --quiet prints no progress.
  const quiet = io(false);
  createReporter(quiet.io, 'quiet', () => clock)(progress('⬇️ Pulling x'));
  expect(quiet.out()).toBe('');
});

test('a long build on a terminal shows its step N/M and the time since it started', () => {
  let clock = 0;
  const tty = io(true);
  const report = createReporter(tty.io, 'normal', () => clock);
  report({ type: 'target', target, files: 3, wholeContext: false });
  report({ type: 'build-start', forced: false });
  clock = 4000;
  report({ type: 'build-output', line: 'Step 3/7 : RUN make' });
  clock = 12_000;
  report({ type: 'build-output', line: ' ---> Running in 1f2e' });
  expect(tty.out()).toContain('\r\x1b[2K   [3/7 4s] Step 3/7 : RUN');
  expect(tty.out()).toContain('\r\x1b[2K   [3/7 12s]  ---> Running');
});
