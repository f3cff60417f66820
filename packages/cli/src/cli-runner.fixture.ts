import { execFile } from 'node:child_process';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
/** The built CLI (tests run what users run: `pnpm build` first). */
export const butlerBin = fileURLToPath(new URL('../bundle/bin.js', import.meta.url));

/** How one `butler` process ended. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `butler ARGS` as its own process with exactly `env` (add `...process.env` yourself), from a
 * neutral folder unless `cwd` says otherwise; resolves with the exit code and both streams —
 * or, with `reject`, rejects on a non-zero exit (the error carries `code`, `stdout`, `stderr`),
 * as execFile does. Test-only (not in the build): e2e tests run the CLI through this one helper.
 */
export async function runButler(
  args: readonly string[],
  {
    env,
    cwd = tmpdir(),
    timeoutMs = 300_000,
    reject = false,
  }: { env: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number; reject?: boolean },
): Promise<CliRun> {
  // "--" as the bin's #! line has it: Node leaves a --env-file after it to butler.
  const result = await run(process.execPath, ['--', butlerBin, ...args], {
    env,
    cwd,
    timeout: timeoutMs,
    maxBuffer: 64 << 20,
  }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code?: number | string; stdout?: string; stderr?: string }) => ({
      code: typeof error.code === 'number' ? error.code : 1,
      stdout: error.stdout ?? '',
      stderr: error.stderr ?? '',
    }),
  );
  if (reject && result.code !== 0) {
    throw Object.assign(
      new Error(`butler ${args.join(' ')} exited ${result.code}: ${result.stderr}`),
      result,
    );
  }
  return result;
}
