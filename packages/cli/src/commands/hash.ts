import { createButler } from '@devops-butler/core';
import {
  chooseBuilder,
  defaultPlugins,
  offlinePlugins,
  withConfigPlugins,
} from '@devops-butler/default-plugins';
import { builderFromEnvironment } from '@devops-butler/engine-client';
import { type CliIo, EXIT } from '../io.js';
import { type BuildTarget, setUpBuild } from './build-setup.js';

const HELP = `Usage: butler hash [dir] [options]

Prints the content hash of the build in [dir]: the Dockerfile, every file its COPY/ADD lines can
reach after .dockerignore, build args, target, platform and builder.

Without --resolve it touches no engine: base images (and a # syntax= frontend) count by reference
only, and the builder is the one the config or DOCKER_BUILDKIT names (else the rules of both are
applied) — so its tag is NOT the tag butler build gives the image whenever the Dockerfile starts
FROM an image. With --resolve it asks the engine (or the docker CLI) as a build does, and prints
exactly the tag butler build would use, without building (for CI scripts that deploy by tag).

A butler config is code, and hash runs it as build does (its plugins can add hash inputs). In a
checkout you do not trust, pass --no-config: then no file of it runs, and the hash is that of the
default plugins.

Options: the same as butler build (-f, --repo, --registry, --build-arg, --target, --platform,
--config, --no-config), plus --resolve, and --json for { repo, tag, digest, resolved, builder,
wholeContext, files, images, notes, warnings }.`;

export async function hashCommand(args: string[], io: CliIo): Promise<number> {
  const setup = await setUpBuild(args, io, 'hash', HELP);
  if (!setup) return EXIT.ok;
  const request = (setup.targets[0] as BuildTarget).request;
  const { config } = setup;
  // --resolve: the build's own plugin set and builder, so the tag is the one a build gives.
  const resolved = setup.resolve
    ? {
        plugins: await defaultPlugins(config.backend),
        builder: await chooseBuilder(config.backend, config.builder, io.env),
      }
    : undefined;
  const offlineBuilder = config.builder ?? builderFromEnvironment(io.env);
  const { context, target, inputs } = await createButler({
    plugins: withConfigPlugins(resolved?.plugins ?? offlinePlugins(), config),
  }).hash({ ...request, builder: resolved?.builder.builder ?? offlineBuilder });
  const result = {
    repo: target.repo,
    tag: target.tag,
    digest: target.digest,
    resolved: resolved !== undefined,
    builder: resolved?.builder.builder ?? offlineBuilder ?? null,
    wholeContext: context.wholeContext,
    files: inputs.files,
    images: context.images.map((image) => image.reference),
    notes: context.notes,
    warnings: context.warnings,
  };
  if (setup.json) io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else {
    io.stdout.write(`${target.registry}/${target.repo}:${target.tag}\n`);
    io.stdout.write(
      `sha256:${target.digest} (${inputs.files.length} inputs${context.wholeContext ? ', whole context' : ''})\n`,
    );
    if (!resolved && context.images.length > 0) {
      io.stdout.write(
        'note: base images counted by reference only: butler build tags this image differently (butler hash --resolve gives that tag)\n',
      );
    }
    for (const note of context.notes) io.stdout.write(`note: ${note}\n`);
    for (const warning of context.warnings) io.stderr.write(`⚠️ ${warning}\n`);
  }
  return EXIT.ok;
}
