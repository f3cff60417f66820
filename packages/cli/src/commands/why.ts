import { createButler, defaultStateDir, LABELS } from '@devops-butler/core';
import { chooseBuilder, defaultPlugins, withConfigPlugins } from '@devops-butler/default-plugins';
import { engineAddress, engineEndpoint, inspectImage } from '@devops-butler/engine-client';
import type { InputDiff, InputManifest } from '@devops-butler/state-store';
import { type CliIo, EXIT } from '../io.js';
import { openState } from '../state.js';
import { printInputDiff } from '../why-output.js';
import { type BuildTarget, setUpBuild } from './build-setup.js';

const HELP = `Usage: butler why [dir] [options]

Says why the next butler build in [dir] (default: .) reuses or rebuilds: the difference between
the current inputs and those of the image latest points to (or, when latest was not built on this
machine, the last recorded build) — files added, removed and changed, Dockerfile lines, build
args, target and platform, base image identities, dependency versions from manifest plugins.

Options: the same as butler build (-f, --repo, --registry, --build-arg, --target, --platform,
--config, --no-config), plus --json for { repo, tag, against, unchanged, diff }.`;

export async function whyCommand(args: string[], io: CliIo): Promise<number> {
  const setup = await setUpBuild(args, io, 'why', HELP);
  if (!setup) return EXIT.ok;
  const { config } = setup;
  const request = (setup.targets[0] as BuildTarget).request;
  const endpoint = engineEndpoint(io.env);
  const stateDir = defaultStateDir(io.env);
  const plugins = withConfigPlugins(await defaultPlugins(config.backend), config);
  // The builder a build would choose: the hash names it, so `why` must hash as a build does.
  const builder = await chooseBuilder(config.backend, config.builder, io.env);
  const hashed = await createButler({ plugins, stateDir }).hash({ ...request, builder: builder.builder });
  const { toInputManifest, diffManifests, dependenciesOf } = await import('@devops-butler/state-store');
  const current = toInputManifest(hashed.digest, hashed.inputs, dependenciesOf(hashed));

  const latest = await inspectImage(endpoint, hashed.target.latest);
  const latestDigest = latest?.Config?.Labels?.[LABELS.contentHash]?.replace(/^sha256:/, '');
  const store = await openState(stateDir, io);
  let against: { source: 'latest' | 'last build'; manifest: InputManifest } | undefined;
  let note: string | undefined;
  try {
    const fromLatest = latestDigest ? store?.manifest(latestDigest) : undefined;
    if (latestDigest === current.digest) against = { source: 'latest', manifest: current };
    else if (fromLatest) against = { source: 'latest', manifest: fromLatest };
    else {
      if (latestDigest)
        note = `${hashed.target.latest} was not built on this machine: its inputs are not recorded`;
      const lastBuild = store?.lastBuild(request.repo, engineAddress(io.env));
      const last =
        lastBuild && (lastBuild.digest === current.digest ? current : store?.manifest(lastBuild.digest));
      if (last) against = { source: 'last build', manifest: last };
    }
  } finally {
    store?.close();
  }

  const reference = (digest: string) => `${request.registry}/${request.repo}:${digest.slice(0, 12)}`;
  const diff: InputDiff | undefined = against && diffManifests(against.manifest, current);
  if (setup.json) {
    const body = {
      repo: request.repo,
      tag: hashed.target.tag,
      digest: hashed.digest,
      against: against ? { source: against.source, reference: reference(against.manifest.digest) } : null,
      unchanged: diff?.same ?? false,
      ...(note ? { note } : {}),
      diff: diff ?? null,
    };
    io.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
    return EXIT.ok;
  }
  if (note) io.stdout.write(`note: ${note}\n`);
  if (!against || !diff) {
    io.stdout.write(
      `Nothing to compare with: no image and no recorded build for ${request.repo}. The next build of ${reference(hashed.digest)} builds it.\n`,
    );
    return EXIT.ok;
  }
  const where = `${against.source === 'latest' ? hashed.target.latest : 'the last build'} (${reference(against.manifest.digest)})`;
  if (diff.same) {
    io.stdout.write(
      `Unchanged: the inputs hash to ${hashed.target.tag}, as for ${where}. butler build reuses it.\n`,
    );
    return EXIT.ok;
  }
  io.stdout.write(`Changed since ${where} → ${reference(hashed.digest)}:\n`);
  printInputDiff(diff, io);
  return EXIT.ok;
}
