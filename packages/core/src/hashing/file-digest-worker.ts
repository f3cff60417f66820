import { parentPort } from 'node:worker_threads';
import { CLAIM, HEX_DIGEST_BYTES, hashFile } from './file-digest.js';

// The second core's share of a hashing job (see FileHasher). The first message brings the job's
// shared memory (the worker may boot before the job exists); then files arrive in batches while
// the main thread still finds them. This thread hashes from the front of the queue until it reaches
// a file the main thread (hashing from the back) took, or the end of the queue.
interface SharedJob {
  claims: Int32Array;
  hexDigests: Uint8Array;
  stats: Float64Array;
}
let job: (SharedJob & { digestText: Buffer }) | undefined;
const paths: string[] = [];
const buffer = Buffer.allocUnsafe(1024 * 1024);
let next = 0;
let finished = false;

parentPort?.on('message', (message: SharedJob | { paths: string[]; end: boolean }) => {
  if ('claims' in message) {
    job = { ...message, digestText: Buffer.from(message.hexDigests.buffer) };
    return;
  }
  for (const path of message.paths) paths.push(path);
  if (!finished) work(message.end);
});

function work(end: boolean): void {
  const { claims, digestText, stats } = job as NonNullable<typeof job>;
  for (; next < paths.length; next++) {
    if (Atomics.compareExchange(claims, next, CLAIM.free, CLAIM.worker) !== CLAIM.free) {
      done(); // the main thread took this one and every one after it
      return;
    }
    try {
      const hex = hashFile(paths[next] as string, buffer, stats, next);
      if (hex) digestText.write(hex, next * HEX_DIGEST_BYTES, 'latin1');
      Atomics.store(claims, next, hex ? CLAIM.hashed : CLAIM.skipped);
    } catch {
      // Left claimed and unhashed: the main thread reads it again and reports why it failed.
    }
  }
  if (end) done();
}

function done(): void {
  finished = true;
  parentPort?.postMessage('done');
}
