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

test('on a terminal the engine output is one status line that rewrites itself', () => {
  const t = io(true);
  const report = createReporter(t.io);
  report({ type: 'build-start', forced: false });
  report({ type: 'build-output', line: 'Step 1/2 : FROM butler-test/busybox' });
  report({ type: 'build-output', line: `Step 2/2 : COPY ${'x'.repeat(80)}` });
  report.finish();
  expect(t.out()).toBe(
    '🔨 No suitable existing image found, building new image...\n' +
      '\r\x1b[2K   Step 1/2 : FROM butler-test/busybox' +
      `\r\x1b[2K   ${`Step 2/2 : COPY ${'x'.repeat(80)}`.slice(0, 36)}\n`,
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
  report({ type: 'reuse', reference: target.reference, origin: 'engine' });
  printBuildResult(
    { outcome: 'reused', target, metadata: {}, notes: [], durationMs: 5 } as unknown as BuildResult,
    t.io,
    'quiet',
  );
  expect(t.out()).toBe('local-registry/app:0123456789ab\n');
});
