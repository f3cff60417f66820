import { assertRepoName, ButlerError, LABELS, resolveRegistry } from '@devops-butler/core';
import { engineEndpoint, imageHistory, inspectImage } from '@devops-butler/engine-client';
import { type CliIo, EXIT } from '../io.js';
import { configFlag, loadConfig } from '../load-config.js';
import { formatBytes } from '../output.js';
import { UsageError } from '../usage-error.js';
import { parseCommandArgs } from './parse.js';

const HELP = `Usage: butler details <repo[:tag] | registry/repo:tag> [options]

Shows one image: ID, tags, size, creation time, Butler's labels (content hash, source, revision,
dependencies included, Butler version) and any others, then its layers with their sizes and the
instruction that made each. A bare repository name means {registry}/{repo}:latest.

Options:
      --registry HOST   registry part of a bare name (default: config, BUTLER_REGISTRY, local-registry)
      --config PATH     config file (default: butler.config.* from here up to the project's top)
      --no-config       run no config file
      --json            print the details as JSON
  -h, --help            show this help`;

const FLAGS = {
  registry: { type: 'string' },
  config: { type: 'string' },
  'no-config': { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function detailsCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, FLAGS, 'details');
  if (values.help) {
    io.stdout.write(`${HELP}\n`);
    return EXIT.ok;
  }
  if (positionals.length !== 1)
    throw new UsageError('butler details takes one image name — run butler details --help');
  const reference = await resolveReference(positionals[0] as string, values.registry, configFlag(values), io);
  const endpoint = engineEndpoint(io.env);
  const image = await inspectImage(endpoint, reference);
  if (!image) {
    throw new ButlerError('IMAGE_NOT_FOUND', `no image ${reference}`, {
      hint: 'butler list shows the images Butler built',
    });
  }
  const history = await imageHistory(endpoint, image.Id);
  const labels = image.Config?.Labels ?? {};
  const details = {
    reference,
    id: image.Id,
    tags: image.RepoTags ?? [],
    size: image.Size ?? 0,
    created: image.Created ?? '',
    managed: labels[LABELS.managed] === 'true',
    contentHash: labels[LABELS.contentHash] ?? null,
    source: labels[LABELS.source] ?? null,
    revision: labels[LABELS.revision] ?? null,
    dependencies: parseJson(labels[LABELS.dependencies]),
    labels,
    layers: history.map((layer) => ({
      id: layer.Id,
      created: new Date(layer.Created * 1000).toISOString(),
      size: layer.Size,
      createdBy: layer.CreatedBy,
    })),
  };
  if (values.json) io.stdout.write(`${JSON.stringify(details, null, 2)}\n`);
  else printDetails(details, io);
  return EXIT.ok;
}

/** `app` → `{registry}/app:latest`; `app:abc` → `{registry}/app:abc`; a name with a registry stays. */
async function resolveReference(
  name: string,
  registryFlag: string | undefined,
  configPath: string | false | undefined,
  io: CliIo,
) {
  if (name.includes('/')) return name.includes(':') ? name : `${name}:latest`;
  const [repo, tag = 'latest'] = name.split(':') as [string, string?];
  assertRepoName(repo);
  const { config } = await loadConfig(io.cwd, { command: 'details', env: io.env }, configPath);
  const registry = resolveRegistry(registryFlag, io.env, config.registry);
  return `${registry}/${repo}:${tag}`;
}

function parseJson(text: string | undefined): unknown {
  if (text === undefined) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

type Details = {
  reference: string;
  id: string;
  tags: string[];
  size: number;
  created: string;
  managed: boolean;
  contentHash: string | null;
  source: string | null;
  revision: string | null;
  dependencies: unknown;
  labels: Record<string, string>;
  layers: { id: string; created: string; size: number; createdBy: string }[];
};

function printDetails(d: Details, io: CliIo): void {
  const out = (line: string) => io.stdout.write(`${line}\n`);
  out(d.reference);
  out(`  Image ID:      ${d.id}`);
  out(`  Tags:          ${d.tags.join(', ') || '-'}`);
  out(`  Size:          ${formatBytes(d.size)}`);
  out(`  Created:       ${d.created}`);
  out(`  Built by Butler: ${d.managed ? 'yes' : 'no'}`);
  if (d.contentHash) out(`  Content hash:  ${d.contentHash}`);
  if (d.source) out(`  Source:        ${d.source}`);
  if (d.revision) out(`  Revision:      ${d.revision}`);
  const dependencies = (d.dependencies ?? {}) as Record<
    string,
    { direct?: Record<string, string>; counts?: { direct: number; transitive: number } }
  >;
  for (const [ecosystem, summary] of Object.entries(dependencies)) {
    const direct = Object.entries(summary.direct ?? {}).map(([name, version]) => `${name} ${version}`);
    const counts = summary.counts
      ? ` (${summary.counts.direct} direct, ${summary.counts.transitive} transitive)`
      : '';
    out(`  ${ecosystem}${counts}: ${direct.join(', ') || '-'}`);
  }
  const shown = new Set<string>([
    LABELS.contentHash,
    LABELS.source,
    LABELS.revision,
    LABELS.dependencies,
    LABELS.managed,
  ]);
  const others = Object.entries(d.labels).filter(([key]) => !shown.has(key));
  if (others.length > 0) {
    out('  Labels:');
    for (const [key, value] of others.sort()) out(`    ${key}=${value}`);
  }
  out('Layers (newest first):');
  for (const layer of d.layers) {
    const instruction = layer.createdBy
      .replace(/^\/bin\/sh -c #\(nop\)\s*/, '')
      .replace(/^\/bin\/sh -c /, 'RUN ');
    out(
      `  ${formatBytes(layer.size).padStart(9)}  ${instruction.length > 100 ? `${instruction.slice(0, 99)}…` : instruction}`,
    );
  }
}
