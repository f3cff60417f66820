import { defaultStateDir } from '@devops-butler/core';
import type { RollbackResult } from '@devops-butler/deploy';
import { type CliIo, EXIT } from '../io.js';
import { createReporter, printContainerLogs } from '../output.js';
import { UsageError } from '../usage-error.js';
import { durationFlag, parseCommandArgs } from './parse.js';

const HELP = `Usage: butler rollback <name> [options]

Puts back the version of a deployment that ran before the current one (or the one --to names),
through the same swap as butler deploy: the old version starts beside the current one, must
become healthy, then takes over; when it does not, the current one keeps serving. It runs with
the deployment's remembered ports, env, env file and volumes. Its image must still be on this
engine: retention keeps the images of each deployment's last 3 versions (butler deploy
--keep-versions N changes that). A --swarm deployment rolls back as a Swarm service update
(start-first, one task at a time) to the version's image by digest, from the registry.

Options:
      --to COMMIT|TAG    the version to go back to: a commit, image tag or image ID (4+ hex
                         digits of it); butler deployments <name> lists them
      --list             list the versions (as butler deployments <name>) and change nothing
      --timeout DURATION how long the old version has to become healthy (default: the
                         deployment's --health-timeout, else 60s)
      --json             print one JSON result instead of progress lines
  -q, --quiet            print only the deployment's name
  -h, --help             show this help

Exit codes: 0 rolled back, 1 it could not (nothing to go back to, the image is gone, not healthy
— the current version keeps serving), 2 a usage error.`;

const FLAGS = {
  to: { type: 'string' },
  list: { type: 'boolean' },
  timeout: { type: 'string' },
  json: { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function rollbackCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, FLAGS, 'rollback');
  if (values.help) {
    io.stdout.write(`${HELP}\n`);
    return EXIT.ok;
  }
  if (positionals.length !== 1) throw new UsageError('butler rollback takes one deployment name');
  const name = positionals[0] as string;
  if (values.list) {
    if (values.to !== undefined) throw new UsageError('--list changes nothing; --to has no place beside it');
    const { deploymentsCommand } = await import('./deployments.js');
    return deploymentsCommand([name, ...(values.json ? ['--json'] : [])], io);
  }
  const json = values.json === true;
  const report = json ? undefined : createReporter(io, values.quiet ? 'quiet' : 'normal');
  const { rollback, shownSettings } = await import('@devops-butler/deploy');
  let result: RollbackResult;
  try {
    result = await rollback(name, {
      to: values.to,
      healthTimeoutMs: values.timeout === undefined ? undefined : durationFlag('--timeout', values.timeout),
      stateDir: defaultStateDir(io.env),
      processEnv: io.env,
      onLog: (entry) => report?.({ type: 'log', entry }),
    });
  } catch (error) {
    report?.finish();
    if (!json) printContainerLogs(error, io, 'the old version');
    throw error;
  }
  report?.finish();
  if (json) {
    io.stdout.write(`${JSON.stringify({ ...result, settings: shownSettings(result.settings) }, null, 2)}\n`);
  } else if (values.quiet) {
    io.stdout.write(`${result.name}\n`);
  } else {
    const commit = (v: RollbackResult['to']) => (v.commit ? ` (commit ${v.commit.slice(0, 12)})` : '');
    for (const host of result.hosts ?? []) {
      io.stdout.write(
        `🖥️ ${host.host}: ${host.outcome === 'unchanged' ? 'already ran it (kept)' : 'rolled back'}\n`,
      );
    }
    io.stdout.write(
      `⏪ ${result.name} runs ${result.to.reference}${commit(result.to)} again; it ran ${result.from.reference}${commit(result.from)}\n`,
    );
  }
  return EXIT.ok;
}
