import { createButler } from '@devops-butler/core';
import { offlinePlugins, withConfigPlugins } from '@devops-butler/default-plugins';
import { type CliIo, EXIT } from '../io.js';
import { type BuildTarget, setUpBuild } from './build-setup.js';

const HELP = `Usage: butler hash [dir] [options]

Prints the content hash of the build in [dir] without touching the engine: the Dockerfile, every
file its COPY/ADD lines can reach after .dockerignore, build args, target and platform.
Base images are listed by reference only; \`butler build\` also folds in their image IDs, so its
tag differs from this hash when the Dockerfile starts FROM an image.

A butler config is code, and hash runs it as build does (its plugins can add hash inputs). In a
checkout you do not trust, pass --no-config: then no file of it runs, and the hash is that of the
default plugins.

Options: the same as butler build (-f, --repo, --registry, --build-arg, --target, --platform,
--config, --no-config), plus --json for { repo, tag, digest, wholeContext, files, images, notes,
warnings }.`;

export async function hashCommand(args: string[], io: CliIo): Promise<number> {
  const setup = await setUpBuild(args, io, 'hash', HELP);
  if (!setup) return EXIT.ok;
  const { context, target, inputs } = await createButler({
    plugins: withConfigPlugins(offlinePlugins(), setup.config),
  }).hash((setup.targets[0] as BuildTarget).request);
  const result = {
    repo: target.repo,
    tag: target.tag,
    digest: target.digest,
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
    for (const note of context.notes) io.stdout.write(`note: ${note}\n`);
    for (const warning of context.warnings) io.stderr.write(`⚠️ ${warning}\n`);
  }
  return EXIT.ok;
}
