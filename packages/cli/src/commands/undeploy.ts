import { requirePlainEndpoint } from '@devops-butler/backend-dockerode';
import { defaultStateDir } from '@devops-butler/core';
import { type CliIo, EXIT } from '../io.js';
import { openState } from '../state.js';
import { UsageError } from '../usage-error.js';
import { parseCommandArgs } from './parse.js';

const HELP = `Usage: butler undeploy <name> [options]

Stops (with a grace period) and removes the containers of a deployment made by butler deploy: the
app and its front. Images stay; retention removes them when their turn comes. Containers Butler
did not deploy are never touched.

Options:
      --timeout SECONDS  grace period before the app is killed (default: 10)
      --json             print the result as JSON
  -h, --help             show this help`;

const FLAGS = {
  timeout: { type: 'string' },
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
  const grace = values.timeout === undefined ? 10 : Number(values.timeout);
  if (!(Number.isInteger(grace) && grace >= 0)) {
    throw new UsageError(`--timeout must be a whole number of seconds, not "${values.timeout}"`);
  }
  const { assertContainerName, removeDeployment } = await import('@devops-butler/deploy');
  assertContainerName(name);
  const removed = await removeDeployment(requirePlainEndpoint(io.env, 'undeploy'), name, grace);
  const store = await openState(defaultStateDir(io.env), io);
  try {
    const last = store?.currentDeployments().find((d) => d.name === name);
    if (store && last) {
      store.recordDeployment({ ...last, outcome: 'undeployed', at: new Date().toISOString() });
    }
  } finally {
    store?.close();
  }
  if (values.json) {
    io.stdout.write(`${JSON.stringify({ name, removedContainers: removed })}\n`);
    return removed > 0 ? EXIT.ok : EXIT.failed;
  }
  if (removed === 0) {
    io.stderr.write(`✖ no deployment named "${name}" is running — butler list shows the deployments\n`);
    return EXIT.failed;
  }
  io.stdout.write(`🛑 ${name}: stopped and removed ${removed} container${removed === 1 ? '' : 's'}\n`);
  return EXIT.ok;
}
