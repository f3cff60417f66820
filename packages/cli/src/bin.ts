#!/usr/bin/env -S node --
import { ignoreClosedReader } from './closed-pipe.js';
// The "--" keeps Node (20 to at least 26) from reading a "--env-file" meant for butler deploy as its
// own option: Node scans the whole command line for it and exits 9 when the file is missing.
import { main } from './main.js';

ignoreClosedReader(process.stdout);
ignoreClosedReader(process.stderr);

process.exitCode = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
});
