import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { promisify } from 'node:util';
import { LABELS } from '@devops-butler/core';
import { repoTags, useEngineFixture } from '@devops-butler/test-support';
import { expect, test } from 'vitest';
import { butlerBin as bin } from './cli-runner.fixture.js';

const run = promisify(execFile);
const fx = useEngineFixture('kill', ({ from }) => ({
  Dockerfile: `${from}COPY app.txt /app.txt\nRUN sleep 1\n`,
  'app.txt': 'v0\n',
}));

/** A fixed pseudo-random sequence (so a failure can be replayed), spread over 0–2.5 s. */
function* delays(seed: number): Generator<number> {
  let x = seed;
  for (;;) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    yield x % 2500;
  }
}

async function contentHashOf(reference: string): Promise<string> {
  const { stdout } = await run('docker', [
    'image',
    'inspect',
    '--format',
    `{{index .Config.Labels "${LABELS.contentHash}"}}`,
    reference,
  ]);
  return stdout.trim();
}

test('kill -9 at 20 points of a build: the next build neither hangs nor lies', async () => {
  const env = { ...process.env, BUTLER_STATE_DIR: fx.stateDir };
  const points = delays(20261201);
  for (let round = 0; round < 20; round++) {
    await fx.tree.write({ 'app.txt': `v${round}\n` });
    const victim = spawn('node', [bin, 'build', fx.tree.dir, '--repo', fx.repo], { env, stdio: 'ignore' });
    const exited = once(victim, 'exit');
    await new Promise((r) => setTimeout(r, points.next().value as number));
    victim.kill('SIGKILL');
    await exited;
    // The lock the victim held must not block this one (it would wait forever on main).
    const next = await run(
      'node',
      [bin, 'build', fx.tree.dir, '--repo', fx.repo, '--json', '--lock-timeout', '30s'],
      {
        env,
        timeout: 60_000,
      },
    );
    const result = JSON.parse(next.stdout);
    expect(await contentHashOf(result.target.reference)).toBe(`sha256:${result.target.digest}`);
  }
  // Every tag Butler left says what is in its image.
  for (const tag of await repoTags(`local-registry/${fx.repo}`)) {
    if (tag === 'latest') continue;
    expect((await contentHashOf(`local-registry/${fx.repo}:${tag}`)).slice(7, 19)).toBe(tag);
  }
}, 300_000);
