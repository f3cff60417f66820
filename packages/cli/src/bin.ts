#!/usr/bin/env -S node --max-semi-space-size=1 --
// The "--" keeps Node (20 to at least 26) from reading a "--env-file" meant for butler deploy as its
// own option: Node scans the whole command line for it and exits 9 when the file is missing.
// --max-semi-space-size=1 (MiB) keeps V8's young generation at its starting size: a run of a few
// hundred ms touches as little fresh memory as it can, and every first touch of a page is a page
// fault (10 µs each on a VM where they are dear: then a 20,000-file hit is 16 % faster, a fresh
// checkout 9 %; where they are cheap, the extra young collections cost a few ms). See
// docs/benchmarks.md, sessions 12 and 14. It only takes effect as a process flag.
import * as nodeModule from 'node:module';
import { ignoreClosedReader } from './closed-pipe.js';

// Node 22.1+ keeps V8's compiled code of every module between runs (start-up is most of a cache
// hit). Node 20 has no such call. main.js is imported after it, so all of Butler is cached.
(nodeModule as { enableCompileCache?: () => unknown }).enableCompileCache?.();
const { main } = await import('./main.js');

ignoreClosedReader(process.stdout);
ignoreClosedReader(process.stderr);

process.exitCode = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
});
