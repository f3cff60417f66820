import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { type BuildMessage, BuildProgress, loadBuildkitDecoder } from './build-progress.js';

/** A recorded `POST /build?version=2` answer (Docker 20.10's BuildKit), replayed message by message. */
async function replay(name: string) {
  const lines: string[] = [];
  const progress = new BuildProgress((line) => lines.push(line));
  progress.decodeBuildkit = await loadBuildkitDecoder();
  const text = readFileSync(new URL(`./__fixtures__/${name}.jsonl`, import.meta.url), 'utf8');
  for (const line of text.split('\n').filter(Boolean)) progress.onMessage(JSON.parse(line) as BuildMessage);
  return { lines, finish: () => progress.finish() };
}

/** The step number BuildKit's status gave the step with this name (`#6 [3/3] RUN …` → 6). */
function stepNumber(lines: string[], name: string): string {
  const header = lines.find((l) => l.endsWith(` ${name}`));
  expect(header, name).toBeDefined();
  return /^#(\d+) /.exec(header as string)?.[1] as string;
}

test('BuildKit status is shown as docker build --progress=plain shows it: steps, output, DONE', async () => {
  const { lines, finish } = await replay('buildkit-built');
  const copy = stepNumber(lines, '[2/3] COPY a /a');
  const run = stepNumber(lines, '[3/3] RUN echo "hello from the step" && echo to-stderr >&2');
  expect(lines.some((l) => new RegExp(`^#${copy} DONE \\d+\\.\\ds$`).test(l))).toBe(true);
  expect(lines.some((l) => new RegExp(`^#${run} \\d+\\.\\d{3} hello from the step$`).test(l))).toBe(true);
  expect(lines.some((l) => new RegExp(`^#${run} \\d+\\.\\d{3} to-stderr$`).test(l))).toBe(true);
  expect(lines.some((l) => new RegExp(`^#${run} DONE \\d+\\.\\ds$`).test(l))).toBe(true);
  // Each step's header comes before its other lines.
  expect(lines.findIndex((l) => l.startsWith(`#${run} `))).toBe(
    lines.indexOf(`#${run} [3/3] RUN echo "hello from the step" && echo to-stderr >&2`),
  );
  // Never a base64 blob or a raw JSON line.
  expect(lines.join('\n')).not.toMatch(/moby\.buildkit\.trace|"aux"|[A-Za-z0-9+/]{40,}=*/);
  expect(finish()).toMatch(/^sha256:[0-9a-f]{64}$/);
});

test('a build whose steps were all done before says CACHED for them', async () => {
  const { lines } = await replay('buildkit-cached');
  expect(lines).toContain(`#${stepNumber(lines, '[2/3] COPY a /a')} CACHED`);
  expect(lines).toContain(
    `#${stepNumber(lines, '[3/3] RUN echo "hello from the step" && echo to-stderr >&2')} CACHED`,
  );
});

test('a failing step: its output, then one error naming the step and its exit code', async () => {
  const { lines, finish } = await replay('buildkit-failed');
  const run = stepNumber(lines, '[2/2] RUN echo "about to fail" && exit 3');
  expect(lines.some((l) => new RegExp(`^#${run} \\d+\\.\\d{3} about to fail$`).test(l))).toBe(true);
  expect(lines.some((l) => l.startsWith(`#${run} ERROR: executor failed running`))).toBe(true);
  let error: { message: string; output?: string[]; code?: string } | undefined;
  try {
    finish();
  } catch (thrown) {
    error = thrown as typeof error;
  }
  expect(error).toMatchObject({
    code: 'BUILD_FAILED',
    message: 'build failed at [2/2] RUN echo "about to fail" && exit 3: exited with code 3',
    output: ['about to fail'],
  });
});

test('without the decoder loaded, BuildKit status is dropped, never printed raw', () => {
  const lines: string[] = [];
  const progress = new BuildProgress((line) => lines.push(line));
  progress.onMessage({ id: 'moby.buildkit.trace', aux: 'CgAS' });
  expect(lines).toEqual([]);
});
