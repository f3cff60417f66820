/** Where a command writes and what it sees: injected so tests can run commands in-process. */
export interface CliIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/** Exit codes: 0 ok, 1 the operation failed (user-fixable), 2 the command line was wrong. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;
