import { type CliIo, EXIT } from '../io.js';
import { UsageError } from '../usage-error.js';
import { durationFlag, parseCommandArgs } from './parse.js';

const HELP = `Usage: butler undeploy <name> [options]

Stops (with a grace period) and removes the containers of a deployment made by butler deploy: the
app and its front. Images stay; retention removes them when their turn comes. Containers Butler
did not deploy are never touched. Volumes (what the app kept in its image's VOLUME folders) stay
too, and are listed: remove them with --volumes, or later with docker volume rm. A deployment
made with --swarm is a Swarm service: undeploy removes the service (named volumes stay).

Options:
      --timeout DURATION grace period before the app is killed (default: 10s; a bare
                         number is seconds, as docker stop -t)
      --volumes          remove the deployment's volumes too (their data is gone for good)
      --json             print the result as JSON
  -h, --help             show this help`;

const FLAGS = {
  timeout: { type: 'string' },
  volumes: { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function undeployCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, FLAGS, 'undeploy');
  if (values.help) {
    io.stdout.write(`${HELP}\n`);
    return EXIT.ok;
  }
  if (positionals.length !== 1) throw new UsageError('butler undeploy takes one deployment name');
  const name = positionals[0] as string;
  const grace = graceSeconds(values.timeout);
  const { undeploy } = await import('@devops-butler/deploy');
  const {
    containers: removed,
    keptVolumes,
    target,
  } = await undeploy(name, {
    graceSeconds: grace,
    removeVolumes: values.volumes === true,
    processEnv: io.env,
    onWarning: (message) => io.stderr.write(`⚠️ ${message}\n`),
  });
  if (values.json) {
    io.stdout.write(`${JSON.stringify({ name, target, removedContainers: removed, keptVolumes })}\n`);
    return EXIT.ok;
  }
  io.stdout.write(
    target === 'swarm'
      ? `🛑 ${name}: removed the Swarm service (its tasks stop with their grace period)\n`
      : `🛑 ${name}: stopped and removed ${removed} container${removed === 1 ? '' : 's'}\n`,
  );
  if (keptVolumes.length > 0) {
    io.stdout.write(
      `💾 kept${target === 'swarm' ? ' named' : ''} ${keptVolumes.length === 1 ? 'volume' : 'volumes'} ${keptVolumes.join(', ')} (remove with --volumes, or docker volume rm)\n`,
    );
  }
  return EXIT.ok;
}

/** `--timeout`: a duration (`30s`, `2m`) like deploy's, or a bare number of seconds (docker stop -t). */
function graceSeconds(text: string | undefined): number {
  if (text === undefined) return 10;
  const ms = /^\d+$/.test(text) ? Number(text) * 1000 : durationFlag('--timeout', text);
  return Math.ceil(ms / 1000);
}
