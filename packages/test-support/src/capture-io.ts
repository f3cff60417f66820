import { Writable } from 'node:stream';

/** A CLI's stdout/stderr/env/cwd for running commands in-process, with what they wrote. */
export function captureIo(options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  let out = '';
  let err = '';
  const sink = (append: (s: string) => void) =>
    new Writable({
      write(chunk, _encoding, done) {
        append(chunk.toString());
        done();
      },
    });
  return {
    io: {
      stdout: sink((s) => {
        out += s;
      }),
      stderr: sink((s) => {
        err += s;
      }),
      env: options.env ?? { BUTLER_STATE_DIR: '' },
      cwd: options.cwd ?? process.cwd(),
    },
    out: () => out,
    err: () => err,
  };
}
