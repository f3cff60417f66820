import { loadInventory } from '@devops-butler/plugin-retention';
import { requireEndpoint } from '../engine-endpoint.js';
import { type CliIo, EXIT } from '../io.js';
import { formatBytes, printTable } from '../output.js';
import { parseRepoQuery } from './parse.js';

const HELP = `Usage: butler list [options]

Lists the images Butler built, by repository, newest first: tags, content hash, image ID, size,
when it was created, the containers that use it, and which one latest points to. Images Butler
did not build are not shown.

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
  const inventory = await loadInventory(requireEndpoint(io.env, 'list'), values.repo);
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
    }))
    .sort((a, b) => (a.repo === b.repo ? b.created.localeCompare(a.created) : a.repo.localeCompare(b.repo)));
  if (values.json) {
    io.stdout.write(`${JSON.stringify({ images }, null, 2)}\n`);
    return EXIT.ok;
  }
  if (images.length === 0) {
    io.stdout.write(`No Butler images${values.repo ? ` for ${values.repo}` : ''}.\n`);
    return EXIT.ok;
  }
  printTable(
    io,
    ['REPOSITORY', 'HASH', 'IMAGE ID', 'SIZE', 'CREATED', 'IN USE', 'LATEST'],
    images.map((image) => [
      image.repo,
      image.hash ?? '-',
      image.id.replace(/^sha256:/, '').slice(0, 12),
      formatBytes(image.size),
      image.created.replace(/\.\d+Z$/, 'Z'),
      image.inUse ? image.containers.join(',') : '-',
      image.latest ? 'latest' : '',
    ]),
  );
  return EXIT.ok;
}
