#!/usr/bin/env -S node --min-semi-space-size=8 --
// The "--" keeps Node (20 to at least 26) from reading a "--env-file" meant for butler deploy as its
// own option: Node scans the whole command line for it and exits 9 when the file is missing.
// --min-semi-space-size=8 (MiB) starts V8's young generation at its usual working size instead of
// 1 MiB: a cache hit of 20,000 files then runs 3 young collections instead of 7 and no full one
// (about 10 ms of 185; docs/benchmarks.md, session 12). It only takes effect as a process flag.
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
