import { defaultStateDir, withTargetLock } from '@devops-butler/core';
import { requirePlainEndpoint } from '@devops-butler/engine-client';
import { type CliIo, EXIT } from '../io.js';
import { openState } from '../state.js';
import { UsageError } from '../usage-error.js';
import { parseCommandArgs } from './parse.js';

const HELP = `Usage: butler undeploy <name> [options]

Stops (with a grace period) and removes the containers of a deployment made by butler deploy: the
app and its front. Images stay; retention removes them when their turn comes. Containers Butler
did not deploy are never touched. Volumes (what the app kept in its image's VOLUME folders) stay
too, and are listed: remove them with --volumes, or later with docker volume rm.

Options:
      --timeout SECONDS  grace period before the app is killed (default: 10)
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
  const grace = values.timeout === undefined ? 10 : Number(values.timeout);
  if (!(Number.isInteger(grace) && grace >= 0)) {
    throw new UsageError(`--timeout must be a whole number of seconds, not "${values.timeout}"`);
  }
  const { assertContainerName, deploymentLock, removeDeployment } = await import('@devops-butler/deploy');
  assertContainerName(name);
  const endpoint = requirePlainEndpoint(io.env, 'undeploy');
  // Not in the middle of a deploy of the same name: it waits for that one to finish.
  const { containers: removed, keptVolumes } = await withTargetLock(
    defaultStateDir(io.env),
    deploymentLock(name),
    () => removeDeployment(endpoint, name, grace, values.volumes === true),
  );
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
    io.stdout.write(`${JSON.stringify({ name, removedContainers: removed, keptVolumes })}\n`);
    return removed > 0 ? EXIT.ok : EXIT.failed;
  }
  if (removed === 0) {
    io.stderr.write(`✖ no deployment named "${name}" is running — butler list shows the deployments\n`);
    return EXIT.failed;
  }
  io.stdout.write(`🛑 ${name}: stopped and removed ${removed} container${removed === 1 ? '' : 's'}\n`);
  if (keptVolumes.length > 0) {
    io.stdout.write(
      `💾 kept ${keptVolumes.length === 1 ? 'volume' : 'volumes'} ${keptVolumes.join(', ')} (remove with --volumes, or docker volume rm)\n`,
    );
  }
  return EXIT.ok;
}
