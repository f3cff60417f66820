import { compareCodeUnits, defaultStateDir, resolveRegistry } from '@devops-butler/core';
import { engineEndpoint } from '@devops-butler/engine-client';
import { loadInventory, loadLegacyImages } from '@devops-butler/plugin-retention';
import { type CliIo, EXIT } from '../io.js';
import { formatBytes, printTable } from '../output.js';
import { builtByButler } from '../state.js';
import { parseRepoQuery } from './parse.js';

const HELP = `Usage: butler list [options]

Lists the images Butler built, by repository, newest first: tags, content hash, image ID, size,
when it was created, the containers that use it, and which one latest points to. Images Butler
did not build are not shown. Then the deployments (butler deploy): which image and commit each
runs, and whether its container is running.

Options:
      --repo NAME   only this repository
      --json        print the list as JSON
  -h, --help        show this help`;

export async function listCommand(args: string[], io: CliIo): Promise<number> {
  const values = parseRepoQuery(args, 'list');
  if (values.help) {
    io.stdout.write(`${HELP}\n`);
    return EXIT.ok;
  }
  const endpoint = engineEndpoint(io.env);
  const inventory = [
    ...(await loadInventory(
      endpoint,
      undefined,
      values.repo,
      builtByButler(defaultStateDir(io.env), io.env),
    )),
    // The earlier tool's images (no labels) under the configured registry part: shown, marked.
    ...(await loadLegacyImages(endpoint, resolveRegistry(undefined, io.env), values.repo)),
  ];
  const { deploymentsNow } = await import('@devops-butler/deploy');
  const warn = (message: string) => io.stderr.write(`⚠️ ${message}\n`);
  const deployments = await deploymentsNow({
    repo: values.repo,
    processEnv: io.env,
    step: (message) => io.stderr.write(`${message}\n`),
    onWarning: warn,
  });
  const images = inventory
    .map((image) => ({
      repo: image.repo,
      hash: image.butlerTags.map((t) => t.slice(t.lastIndexOf(':') + 1)).find((t) => t !== 'latest') ?? null,
      tags: image.tags,
      id: image.id,
      size: image.size,
      created: image.created,
      inUse: image.containers.length > 0,
      containers: image.containers,
      latest: image.latest,
      deployedAs: deployments.filter((d) => d.imageId === image.id).map((d) => d.name),
      beforeLabels: image.legacy === true,
    }))
    .sort((a, b) =>
      a.repo === b.repo ? compareCodeUnits(b.created, a.created) : compareCodeUnits(a.repo, b.repo),
    );
  if (values.json) {
    io.stdout.write(`${JSON.stringify({ images, deployments }, null, 2)}\n`);
    return EXIT.ok;
  }
  if (images.length === 0) {
    io.stdout.write(`No Butler images${values.repo ? ` for ${values.repo}` : ''}.\n`);
  } else {
    printImages(io, images);
    if (images.some((image) => image.beforeLabels)) {
      io.stdout.write(
        "* made before Butler's labels (an earlier tool's image): butler gc organises it, the cleanup after a build leaves it\n",
      );
    }
  }
  if (deployments.length > 0) {
    io.stdout.write('\n');
    printTable(
      io,
      ['DEPLOYMENT', 'REPOSITORY', 'IMAGE', 'COMMIT', 'STATUS', 'DEPLOYED'],
      deployments.map((d) => [
        d.name,
        d.repo,
        d.reference,
        d.commit?.slice(0, 12) ?? '-',
        d.status,
        d.at.replace(/\.\d+Z$/, 'Z'),
      ]),
    );
  }
  return EXIT.ok;
}

type ListedImage = {
  repo: string;
  hash: string | null;
  id: string;
  size: number;
  created: string;
  inUse: boolean;
  containers: string[];
  latest: boolean;
  beforeLabels: boolean;
};

function printImages(io: CliIo, images: ListedImage[]): void {
  printTable(
    io,
    ['REPOSITORY', 'HASH', 'IMAGE ID', 'SIZE', 'CREATED', 'IN USE', 'LATEST'],
    images.map((image) => [
      image.repo,
      image.beforeLabels ? `${image.hash ?? '-'}*` : (image.hash ?? '-'),
      image.id.replace(/^sha256:/, '').slice(0, 12),
      formatBytes(image.size),
      image.created.replace(/\.\d+Z$/, 'Z'),
      image.inUse ? image.containers.join(',') : '-',
      image.latest ? 'latest' : '',
    ]),
  );
}
