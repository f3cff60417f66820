import { ButlerError, defaultStateDir } from '@devops-butler/core';
import { type CliIo, EXIT } from '../io.js';
import { printTable } from '../output.js';
import { openState } from '../state.js';
import { UsageError } from '../usage-error.js';
import { parseCommandArgs } from './parse.js';

const HELP = `Usage: butler deployments [name] [options]

Each deployment's versions, newest first, from the state store: commit, image, when it went live
(marked "by rollback" when butler rollback put it back), how it ended (replaced by a later
deploy, rolled-back, failed its health check, undeployed) and how long going live paused the
service to hand a writable volume over (PAUSE); the one that runs now is marked.
Without a name: every deployment recorded, undeployed ones too. butler rollback <name> --to COMMIT goes back to one.

Options:
      --json        print { deployments: [{ name, versions: [...] }] }
  -h, --help        show this help`;

const FLAGS = { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } as const;

export async function deploymentsCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, FLAGS, 'deployments');
  if (values.help) {
    io.stdout.write(`${HELP}\n`);
    return EXIT.ok;
  }
  if (positionals.length > 1) throw new UsageError('butler deployments takes at most one deployment name');
  const { deploymentVersions, historiesByEngine } = await import('@devops-butler/deploy');
  const store = await openState(defaultStateDir(io.env), io);
  let deployments: { name: string; engine: string; versions: ReturnType<typeof deploymentVersions> }[] = [];
  try {
    const names = positionals.length === 1 ? [positionals[0] as string] : (store?.deploymentNames() ?? []);
    // A deployment to several hosts (or moved to another engine) has a history on each engine.
    deployments = names.flatMap((name) => {
      const histories = historiesByEngine(store?.deploymentHistory(name, 200) ?? []);
      if (histories.length === 0) return [{ name, engine: '', versions: [] }];
      return histories.map(({ engine, records }) => ({
        name,
        engine,
        versions: deploymentVersions(records.slice(0, 50)),
      }));
    });
  } finally {
    store?.close();
  }
  const { LOCAL_ENGINE } = await import('@devops-butler/state-store');
  const showEngine = deployments.some((d) => d.engine !== LOCAL_ENGINE && d.engine !== '');
  if (positionals.length === 1 && deployments.every((d) => d.versions.length === 0)) {
    throw new ButlerError('DEPLOYMENT_UNKNOWN', `no deployment named ${positionals[0]} is recorded`, {
      hint: 'butler deployments lists every deployment',
    });
  }
  if (values.json) {
    io.stdout.write(`${JSON.stringify({ deployments }, null, 2)}\n`);
    return EXIT.ok;
  }
  const rows = deployments.flatMap(({ name, engine, versions }) =>
    versions.map((v) => [
      name,
      ...(showEngine ? [engine] : []),
      v.commit?.slice(0, 12) ?? '-',
      v.reference,
      `${v.at.replace(/\.\d+Z$/, 'Z')}${v.rollback ? ' by rollback' : ''}`,
      v.ended === 'running'
        ? 'running now'
        : `${v.ended}${v.endedAt ? ` ${v.endedAt.replace(/\.\d+Z$/, 'Z')}` : ''}`,
      v.pausedMs === undefined ? '-' : `${(v.pausedMs / 1000).toFixed(1)}s`,
    ]),
  );
  if (rows.length === 0) {
    io.stdout.write('No deployments recorded.\n');
    return EXIT.ok;
  }
  printTable(
    io,
    ['DEPLOYMENT', ...(showEngine ? ['ENGINE'] : []), 'COMMIT', 'IMAGE', 'LIVE SINCE', 'ENDED', 'PAUSE'],
    rows,
  );
  return EXIT.ok;
}
