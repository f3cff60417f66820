import { parentPort, workerData } from 'node:worker_threads';
import { sha256OfFiles } from './file-digest.js';

// The second core's half of a large hashing job (see sha256OfFilesInParallel).
parentPort?.postMessage(sha256OfFiles(workerData as string[]));
