import { createButler } from '@devops-butler/core';
import { BUILD_FLAGS, resolveBuildRequest } from '../build-request.js';
import { defaultPlugins } from '../default-plugins.js';
import { type CliIo, EXIT } from '../io.js';
import { loadConfig } from '../load-config.js';
import { createReporter, printBuildResult } from '../output.js';
import { UsageError } from '../usage-error.js';
import { parseCommandArgs } from './parse.js';

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
      --config PATH        config file (default: butler.config.* found from dir upwards)
      --json               print one JSON result instead of progress lines
  -h, --help               show this help`;

const FLAGS = { ...BUILD_FLAGS, force: { type: 'boolean' } } as const;

export async function buildCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, FLAGS, 'build');
  if (values.help) {
    io.stdout.write(`${HELP}\n`);
    return EXIT.ok;
  }
  if (positionals.length > 1) throw new UsageError('butler build takes one folder — run butler build --help');
  const dir = positionals[0] ?? io.cwd;
  const { config } = await loadConfig(dir, { command: 'build', env: io.env }, values.config);
  const request = await resolveBuildRequest(dir, values, config, io.env);
  const plugins = config.replaceDefaultPlugins
    ? (config.plugins ?? [])
    : [...(await defaultPlugins(config.backend)), ...(config.plugins ?? [])];
  const butler = createButler({ plugins });
  const result = await butler.build(request, { onEvent: values.json ? undefined : createReporter(io) });
  if (values.json) io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else printBuildResult(result, io);
  return EXIT.ok;
}
