import { parentPort, workerData } from 'node:worker_threads';
import { CLAIM, HEX_DIGEST_BYTES, hashFile } from './file-digest.js';

// The second core's share of a hashing job (see FileHasher): files arrive in batches while the
// main thread still finds them; this thread hashes from the front of the queue until it reaches a
// file the main thread (hashing from the back) took, or the end of the queue.
const { claims, hexDigests, stats } = workerData as {
  claims: Int32Array;
  hexDigests: Uint8Array;
  stats: Float64Array;
};
const digestText = Buffer.from(hexDigests.buffer);
const paths: string[] = [];
const buffer = Buffer.allocUnsafe(1024 * 1024);
let next = 0;
let finished = false;

parentPort?.on('message', (batch: { paths: string[]; end: boolean }) => {
  for (const path of batch.paths) paths.push(path);
  if (!finished) work(batch.end);
});

function work(end: boolean): void {
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
