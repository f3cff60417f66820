import { setForceMarker } from '@devops-butler/build-image';
import { assertRepoName, defaultStateDir, resolveRegistry } from '@devops-butler/core';
import { engineEndpoint } from '@devops-butler/engine-client';
import { runRetention } from '@devops-butler/plugin-retention';
import { type CliIo, EXIT } from '../io.js';
import { printRetentionReport } from '../output.js';
import { UsageError } from '../usage-error.js';
import { parseCommandArgs } from './parse.js';

const HELP = `Usage: butler force-rebuild <repo> [--json]

Removes the repository's Butler images that no container uses (including the one latest points
to), and makes the next butler build of it a miss. Images containers use stay, and those
containers keep running; the next build replaces their tags.`;

const FLAGS = { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } as const;

export async function forceRebuildCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, FLAGS, 'force-rebuild');
  if (values.help) {
    io.stdout.write(`${HELP}\n`);
    return EXIT.ok;
  }
  const [repo, ...extra] = positionals;
  if (!repo || extra.length > 0) throw new UsageError('butler force-rebuild takes one repository name');
  assertRepoName(repo);
  const endpoint = engineEndpoint(io.env);
  const stateDir = defaultStateDir(io.env);
  // The marker first: if removing fails halfway, the next build is still forced.
  await setForceMarker(stateDir, repo);
  // Keep nothing by count and do not spare latest: only containers protect an image here.
  const report = await runRetention(endpoint, {
    repo,
    registry: resolveRegistry(undefined, io.env),
    stateDir,
    policy: { keep: () => 0, ignoreLatest: true, forceRebuild: true },
  });
  if (values.json) io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else {
    printRetentionReport(report, io);
    io.stdout.write(`The next butler build of ${repo} builds a new image.\n`);
  }
  return EXIT.ok;
}
