import { runBuild } from '@devops-butler/build-image';
import { ButlerError, formatError } from '@devops-butler/core';
import { buildDependencies, runInOrder } from '../build-order.js';
import { type CliIo, EXIT } from '../io.js';
import { createReporter, printBuildResult, printCleanup } from '../output.js';
import { type BuildSetup, type BuildTarget, setUpBuild } from './build-setup.js';

const HELP = `Usage: butler build [dir | image names…] [options]

Hashes every input of the build in [dir] (default: .), reuses the image tagged with that hash
when it exists, builds and tags it when it does not. Tags: {registry}/{repo}:{hash12} and :latest.
With images: [...] in the config, builds all of them (or those named), several at a time, an
image built FROM another one of the config after it.

Options:
  -f, --file PATH          Dockerfile, relative to dir (default: Dockerfile)
      --repo NAME          repository name (default: config, else the folder or git remote name)
      --registry HOST      registry part of the name (default: local-registry; env BUTLER_REGISTRY)
      --build-arg K=V      build argument (repeatable); part of the hash
      --secret id=ID,src=PATH | id=ID,env=VAR
                           a secret RUN --mount=type=secret,id=ID can read (repeatable; BuildKit
                           only); read when the build asks, never hashed, printed or stored
      --ssh default | ID=SOCKET
                           an SSH agent RUN --mount=type=ssh can use (default: SSH_AUTH_SOCK's;
                           repeatable; BuildKit only); keys stay in the agent
      --target STAGE       build this stage
      --platform P         target platform, e.g. linux/amd64
      --force              build even when the image exists (env BUTLER_FORCE_REBUILD=true)
      --remote-cache MODE  share the cache through the registry: both, pull, push or off
                           (default: both when a registry is set; env BUTLER_REMOTE_CACHE)
      --require-push       a failed push fails the build (default: a warning)
      --no-cleanup         skip retention for this repository after the build (see butler gc)
      --config PATH        config file (default: butler.config.* from dir up to the project's top:
                           the nearest folder with .git or package.json); env BUTLER_CONFIG
      --no-config          run no config file (an untrusted checkout)
      --concurrency N      images built at once (default: config concurrency, else 2)
      --lock-timeout D     give up (exit 1) after waiting D (30s, 10m) for another butler
                           building the same image (default: wait while it lives)
  -q, --quiet              print only the image reference (and warnings, errors)
  -v, --verbose            print every line of the engine's output, also on a terminal
      --json               print one JSON result instead of progress lines
  -h, --help               show this help`;

export async function buildCommand(args: string[], io: CliIo): Promise<number> {
  const setup = await setUpBuild(args, io, 'build', HELP);
  if (!setup) return EXIT.ok;
  const { targets, json } = setup;
  // A folder build prints one result; images of a config always print as a list.
  if (targets.length === 1 && targets[0]?.name === undefined) {
    const result = await buildOne(targets[0] as BuildTarget, setup, io, '');
    if (json) io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return EXIT.ok;
  }
  // Several images: in dependency order, a few at a time; each line says which image it is about.
  const outcomes = await runInOrder(buildDependencies(targets), setup.concurrency, (target) =>
    buildOne(target, setup, io, `[${target.name}] `),
  );
  const results = targets.map((target) => {
    const outcome = outcomes.get(target);
    return outcome && 'value' in outcome
      ? { name: target.name, ...outcome.value }
      : { name: target.name, error: errorBody(outcome?.error) };
  });
  const failed = results.filter((r) => 'error' in r);
  // As every --json result that ends in an error: `error: { code, message }` beside the images.
  const error =
    failed.length > 0
      ? {
          code: 'BUILD_FAILED',
          message: `${failed.length} of ${results.length} images failed: ${failed.map((r) => r.name).join(', ')}`,
        }
      : undefined;
  if (json) io.stdout.write(`${JSON.stringify({ images: results, ...(error ? { error } : {}) }, null, 2)}\n`);
  else
    for (const r of failed)
      io.stderr.write(`✖ [${r.name}] ${(r as { error: { message: string } }).error.message}\n`);
  return failed.length > 0 ? EXIT.failed : EXIT.ok;
}

/** One image: build or reuse (the product build records and cleans up), print unless --json. */
async function buildOne(target: BuildTarget, setup: BuildSetup, io: CliIo, prefix: string) {
  const { json } = setup;
  const prefixed = prefix ? withPrefix(io, prefix) : io;
  const report = json ? undefined : createReporter(prefixed, setup.verbosity);
  const result = await runBuild(target.request, {
    ...target.settings,
    onEvent: (event) => {
      // Waiting is said even with --json (on stderr): a silent wait looks like a hang.
      if (event.type === 'waiting' && !report) prefixed.stderr.write(`⏳ ${event.message}\n`);
      report?.(event);
    },
  }).finally(() => report?.finish());
  if (!json) {
    printBuildResult(result, prefixed, setup.verbosity);
    // Retention's report comes after the build's own lines, not in the middle of them.
    if (setup.verbosity !== 'quiet' && result.cleanup) printCleanup(result.cleanup, prefixed);
  }
  return result;
}

/** Writes every line of stdout and stderr with a prefix (`[api] `), for builds running side by side. */
function withPrefix(io: CliIo, prefix: string): CliIo {
  const prefixLines = (stream: NodeJS.WritableStream): NodeJS.WritableStream =>
    ({
      write: (chunk: string | Uint8Array) =>
        stream.write(
          String(chunk)
            .split('\n')
            .map((line, i, all) => (line === '' && i === all.length - 1 ? '' : `${prefix}${line}`))
            .join('\n'),
        ),
    }) as NodeJS.WritableStream;
  return { ...io, stdout: prefixLines(io.stdout), stderr: prefixLines(io.stderr) };
}

function errorBody(error: unknown): { code: string; message: string } {
  return { code: ButlerError.isInstance(error) ? error.code : 'INTERNAL', message: formatError(error) };
}
