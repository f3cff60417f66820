import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';

/** How one docker CLI call ended: its exit code and what it printed. */
export interface DockerRun {
  /** The command, for messages (`docker build`). */
  command: string;
  /** undefined: it never ran (see `spawnError`), or a signal ended it. */
  exitCode: number | undefined;
  stdout: string;
  stderr: string;
  /** stdout and stderr interleaved as they came (a build's progress is on both). */
  all: string;
  /** Why it could not be started (`ENOENT`: no such executable). */
  spawnError?: NodeJS.ErrnoException | undefined;
}

/**
 * Runs the docker CLI and always resolves (a failure is an outcome the caller words). `env` adds
 * to this process's environment; `input` becomes its stdin — an error on it (a context file that
 * changed while streaming) stops docker, so a half-sent context is never built.
 */
export function runDocker(
  binary: string,
  args: readonly string[],
  options: {
    env?: Record<string, string> | undefined;
    input?: Readable;
    onOutput?: (chunk: Buffer) => void;
  } = {},
): Promise<DockerRun> {
  return new Promise((resolve) => {
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const all: Buffer[] = [];
    let spawnError: NodeJS.ErrnoException | undefined;
    const child = spawn(binary, args, {
      env: { ...process.env, ...options.env },
      stdio: [options.input ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    });
    const collect = (into: Buffer[]) => (chunk: Buffer) => {
      into.push(chunk);
      all.push(chunk);
      options.onOutput?.(chunk);
    };
    child.stdout?.on('data', collect(out));
    child.stderr?.on('data', collect(err));
    if (options.input && child.stdin) {
      const stdin = child.stdin;
      // docker may exit before reading all of it (a failed build): that is its answer, not ours.
      stdin.on('error', () => undefined);
      options.input.on('error', () => {
        // Stopped before its stdin ends: an end could look like a complete (shorter) context.
        child.kill('SIGTERM');
        stdin.destroy();
      });
      options.input.pipe(stdin);
    }
    let settled = false;
    const finish = (exitCode: number | undefined) => {
      if (settled) return;
      settled = true;
      resolve({
        command: `${binary} ${args[0] ?? ''}`.trim(),
        exitCode,
        stdout: text(out),
        stderr: text(err),
        all: text(all),
        spawnError,
      });
    };
    child.on('error', (error: NodeJS.ErrnoException) => {
      spawnError = error;
      finish(undefined);
    });
    child.on('close', (code) => finish(code ?? undefined));
  });
}

/** Output as text without its final newline (what a caller compares and prints). */
function text(chunks: Buffer[]): string {
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}
