import { createButler, defaultStateDir } from '@devops-butler/core';
import { type RetentionReport, retention } from '@devops-butler/plugin-retention';
import { defaultPlugins, withConfigPlugins } from '../default-plugins.js';
import { clearForceMarker, hasForceMarker } from '../force-marker.js';
import { type CliIo, EXIT } from '../io.js';
import { createReporter, printBuildResult, printCleanup } from '../output.js';
import { setUpBuild } from './build-setup.js';

const HELP = `Usage: butler build [dir] [options]

Hashes every input of the build in [dir] (default: .), reuses the image tagged with that hash
when it exists, builds and tags it when it does not. Tags: {registry}/{repo}:{hash12} and :latest.

Options:
  -f, --file PATH          Dockerfile, relative to dir (default: Dockerfile)
      --repo NAME          repository name (default: config, else the folder or git remote name)
      --registry HOST      registry part of the name (default: local-registry; env BUTLER_REGISTRY)
      --build-arg K=V      build argument (repeatable); part of the hash
      --target STAGE       build this stage
      --platform P         target platform, e.g. linux/amd64
      --force              build even when the image exists (env BUTLER_FORCE_REBUILD=true)
      --no-cleanup         skip retention for this repository after the build (see butler gc)
      --config PATH        config file (default: butler.config.* found from dir upwards)
      --json               print one JSON result instead of progress lines
  -h, --help               show this help`;

export async function buildCommand(args: string[], io: CliIo): Promise<number> {
  const setup = await setUpBuild(args, io, 'build', HELP);
  if (!setup) return EXIT.ok;
  const { request, config, json, noCleanup } = setup;
  // Retention's report is printed after the build's own lines, not in the middle of them.
  const reports: RetentionReport[] = [];
  const cleanup =
    noCleanup || config.retention?.auto === false
      ? []
      : [retention({ ...config.retention, env: io.env, onReport: (report) => reports.push(report) })];
  const plugins = withConfigPlugins(
    config.replaceDefaultPlugins ? [] : [...(await defaultPlugins(config.backend)), ...cleanup],
    config,
  );
  const stateDir = defaultStateDir(io.env);
  const forced = await hasForceMarker(stateDir, request.repo);
  const butler = createButler({ plugins, stateDir });
  const result = await butler.build(
    { ...request, force: request.force || forced },
    { onEvent: json ? undefined : createReporter(io) },
  );
  if (forced) await clearForceMarker(stateDir, request.repo);
  if (json) io.stdout.write(`${JSON.stringify({ ...result, cleanup: reports[0] }, null, 2)}\n`);
  else {
    printBuildResult(result, io);
    for (const report of reports) printCleanup(report, io);
  }
  return EXIT.ok;
}
