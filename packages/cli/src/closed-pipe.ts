/** The errors a write gets once the reader of a pipe has gone (`butler list | head -1`). */
const CLOSED_READER = new Set(['EPIPE', 'ERR_STREAM_DESTROYED']);

/**
 * A reader that stops reading early is no failure of Butler's (`git log | head` is quiet too): the
 * rest of that stream's output is dropped and the command finishes its work, so a build piped into
 * `head` still tags its image and exits with its own code. Any other stream error stays fatal.
 */
export function ignoreClosedReader(stream: NodeJS.WritableStream): void {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== undefined && CLOSED_READER.has(error.code)) return;
    throw error;
  });
}
