import type { InputDiff } from '@devops-butler/state-store';
import type { CliIo } from './io.js';

const LISTED = 20;

/** The difference as a reader wants it: files, Dockerfile, args, base images, dependencies. */
export function printInputDiff(diff: InputDiff, io: CliIo): void {
  const out = (line: string) => io.stdout.write(`${line}\n`);
  const { added, removed, changed } = diff.files;
  if (added.length + removed.length + changed.length > 0) {
    out(`  files: ${added.length} added, ${removed.length} removed, ${changed.length} changed`);
    const lines = [
      ...added.map((path) => `    + ${path}`),
      ...removed.map((path) => `    - ${path}`),
      ...changed.map(({ path, what }) => `    ~ ${path} (${what})`),
    ];
    for (const line of lines.slice(0, LISTED)) out(line);
    if (lines.length > LISTED) out(`    … and ${lines.length - LISTED} more (--json lists all)`);
  }
  if (diff.dockerfile.added.length + diff.dockerfile.removed.length > 0) {
    out('  Dockerfile:');
    for (const line of diff.dockerfile.removed) out(`    - ${JSON.stringify(line)}`);
    for (const line of diff.dockerfile.added) out(`    + ${JSON.stringify(line)}`);
  }
  for (const change of diff.buildArgs) out(`  build arg ${change.name}: ${arrow(change)}`);
  for (const change of diff.settings) out(`  ${change.name}: ${arrow(change)}`);
  for (const change of diff.images) out(`  base image ${change.name}: ${arrow(change)}`);
  for (const change of diff.dependencies) out(`  ${change.ecosystem}: ${change.name} ${arrow(change)}`);
  for (const plugin of diff.plugins) out(`  plugin ${plugin}: its hash input changed`);
}

function arrow(change: { from?: string; to?: string }): string {
  if (change.from === undefined) return `added (${change.to})`;
  if (change.to === undefined) return `removed (was ${change.from})`;
  return `${change.from || '(none)'} → ${change.to || '(none)'}`;
}
