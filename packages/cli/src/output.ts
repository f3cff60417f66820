import type {
  BuildResult,
  ButlerEvent,
  ContextTransfer,
  DependencySummary,
  LogEntry,
} from '@devops-butler/core';
import type { RetentionReport } from '@devops-butler/plugin-retention';
import type { RemoteEntry, RemoteRetentionReport } from '@devops-butler/registry-cache';
import type { CliIo } from './io.js';

/** How much a build prints: `quiet` the result only, `verbose` every engine line even on a terminal. */
export type Verbosity = 'quiet' | 'normal' | 'verbose';

export interface Reporter {
  (event: ButlerEvent): void;
  /** Ends the live status line, if one is showing (call before printing anything else). */
  finish(): void;
}

/**
 * Progress lines as the product was specified (docs/reuse.md lists them). On a terminal the engine's
 * build output is one status line that rewrites itself; elsewhere (CI logs, pipes) every line is
 * printed as it comes.
 */
export function createReporter(
  io: CliIo,
  verbosity: Verbosity = 'normal',
  now: () => number = Date.now,
): Reporter {
  const live = io.stdout.isTTY === true && verbosity === 'normal';
  let status = false;
  const finish = () => {
    if (status) io.stdout.write('\n');
    status = false;
  };
  /** The one line that rewrites itself on a terminal, cut to its width. */
  const showStatus = (text: string) => {
    io.stdout.write(`\r\x1b[2K   ${text.slice(0, Math.max(20, (columns(io) ?? 80) - 4))}`);
    status = true;
  };
  // Long transfers in logs and CI: a progress line every few seconds at most.
  let lastProgressAt = Number.NEGATIVE_INFINITY;
  const progress = (text: string) => {
    if (live) return showStatus(text);
    if (verbosity === 'quiet' || now() - lastProgressAt < PROGRESS_EVERY_MS) return;
    lastProgressAt = now();
    out(`   ${text}`);
  };
  // A build's step (Docker's `Step 3/7 :`, Buildah's `STEP 3/7:`) and when the build started.
  let step = '';
  let buildStartedAt = 0;
  const out = (line: string) => {
    finish();
    if (verbosity !== 'quiet') io.stdout.write(`${line}\n`);
  };
  /** A plugin's message: warnings always (stderr), info in normal output, debug with --verbose. */
  const printLog = (entry: LogEntry) => {
    if (entry.level === 'progress') return progress(entry.message);
    if (entry.level === 'warn') {
      finish();
      io.stderr.write(`⚠️ ${entry.message}\n`);
    } else if (entry.level === 'info' || verbosity === 'verbose') out(entry.message);
  };
  let reference = '';
  const reporter = (event: ButlerEvent) => {
    switch (event.type) {
      case 'hashing':
        return out('🔍 Calculating build context hash...');
      case 'target':
        reference = event.target.reference;
        out(`📦 Target image: ${event.target.reference}`);
        if (event.wholeContext)
          out('   (the whole context is hashed: the Dockerfile could not be narrowed down)');
        return;
      case 'lookup':
        return out('🔍 Checking for existing images...');
      case 'reuse': {
        const { id, size, created } = event.image;
        out(
          `🔍 Found existing image: ${event.reference} (ID: ${id}, Created: ${isoTime(created, 'seconds')}Z)`,
        );
        out(
          `📊 Image info: ID=${shortId(id)}, Size=${megabytes(size, 1)}, Created=${isoTime(created, 'minutes')}`,
        );
        out(
          event.origin === 'registry'
            ? `♻️ Reusing image from registry: ${event.reference}`
            : `♻️ Reusing existing image: ${event.reference}`,
        );
        return out('⚡ Build skipped - using cached image!');
      }
      case 'build-start':
        out(
          event.forced
            ? '🔨 Forced rebuild, building new image...'
            : '🔨 No suitable existing image found, building new image...',
        );
        out(`🔧 Building image: ${reference}`);
        buildStartedAt = now();
        step = '';
        return out('⚙️ Running docker build...');
      case 'build-output': {
        if (!live) return out(`   ${event.line}`);
        // Docker's `Step 3/7 :`, Buildah's `STEP 3/7:`, BuildKit's `#7 [stage 3/7] RUN …`.
        const counted =
          /^(?:Step|STEP) (\d+\/\d+)/.exec(event.line) ?? /^#\d+ \[(?:[^\]]* )?(\d+\/\d+)\]/.exec(event.line);
        if (counted) step = counted[1] as string;
        const elapsed = ((now() - buildStartedAt) / 1000).toFixed(0);
        return showStatus(`${step ? `[${step} ${elapsed}s] ` : `[${elapsed}s] `}${event.line}`);
      }
      case 'warning':
        finish();
        return io.stderr.write(`⚠️ ${event.message}\n`);
      case 'waiting':
        finish();
        return io.stderr.write(`⏳ ${event.message}\n`);
      case 'log':
        return printLog(event.entry);
      case 'hashed':
        return;
    }
  };
  return Object.assign(reporter, { finish });
}

/** In logs (no terminal), transfer progress is printed at most this often. */
const PROGRESS_EVERY_MS = 5000;

function columns(io: CliIo): number | undefined {
  return (io.stdout as { columns?: number }).columns;
}

export function printBuildResult(result: BuildResult, io: CliIo, verbosity: Verbosity = 'normal'): void {
  const out = (line: string) => io.stdout.write(`${line}\n`);
  if (verbosity === 'quiet') {
    out(result.target.reference);
    return;
  }
  if (result.outcome !== 'reused') {
    const { id, size, created } = result.image;
    out('✅ Docker build completed successfully!');
    out(`📊 Image ID: ${shortId(id)}, Size: ${megabytes(size, 0)}, Created: ${isoTime(created, 'seconds')}`);
    const sent = result.image.contextTransfer;
    if (sent) out(transferLine(sent));
  }
  out(
    `🏷️ Tagged ${result.target.reference} and ${result.target.latest} (${(result.durationMs / 1000).toFixed(2)}s)`,
  );
  for (const line of dependencyLines(result.metadata)) out(line);
  for (const note of result.notes) out(`   note: ${note}`);
}

/** How much of the context the build read: all of it the first time, what changed after that. */
function transferLine({ files, bytes, of }: ContextTransfer): string {
  if (files === 0 && of > 0)
    return `📤 Context: no file sent; BuildKit had all ${of} from the last build of this folder`;
  const sent = `📤 Context: ${files} of ${of} ${of === 1 ? 'file' : 'files'} sent (${formatBytes(bytes)})`;
  return files < of ? `${sent}; BuildKit kept the rest from the last build of this folder` : sent;
}

/** `📚 npm: 3 direct, 12 transitive dependencies` per ecosystem a manifest plugin detected. */
function dependencyLines(metadata: Record<string, unknown>): string[] {
  const summaries = (metadata.dependencies ?? {}) as Record<string, DependencySummary>;
  return Object.entries(summaries).map(([ecosystem, { counts }]) => {
    if (counts.direct + counts.transitive === 0) return `📚 ${ecosystem}: no dependencies`;
    const unpinned = counts.unpinned > 0 ? `, ${counts.unpinned} unpinned` : '';
    return `📚 ${ecosystem}: ${counts.direct} direct, ${counts.transitive} transitive dependencies${unpinned}`;
  });
}

/** `sha256:def456abc789…` → `def456abc789`: the 12 hex digits `docker images` shows. */
export function shortId(id: string): string {
  return id.replace(/^sha256:/, '').slice(0, 12);
}

/** Decimal megabytes as the original tool printed them: `245.3MB` (1 digit) or `247MB` (none). */
export function megabytes(bytes: number, digits: 0 | 1): string {
  return `${(bytes / 1e6).toFixed(digits)}MB`;
}

/** An engine timestamp (`2024-01-15T10:30:45.123456789Z`) cut to `2024-01-15T10:30:45` or `…T10:30`, in UTC. */
export function isoTime(created: string, precision: 'seconds' | 'minutes'): string {
  const time = Date.parse(created);
  if (Number.isNaN(time)) return created;
  return new Date(time).toISOString().slice(0, precision === 'seconds' ? 19 : 16);
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

/** One line after a build: what retention did for the repository (nothing when nothing went). */
export function printCleanup(report: RetentionReport, io: CliIo): void {
  if (report.removed.length === 0) return;
  io.stdout.write(
    `🧹 Removed ${report.removed.length} old image(s), ${formatBytes(report.reclaimedBytes)} reclaimed\n`,
  );
}

/** The gc report: the plan with reasons, then what was removed and the bytes given back. */
export function printRemoteRetentionReport(report: RemoteRetentionReport, io: CliIo): void {
  const out = (line: string) => io.stdout.write(`${line}\n`);
  const name = (e: RemoteEntry) => `${e.tags[0] ?? e.repo}@${e.digest.slice(7, 19)}`;
  for (const e of report.kept) out(`  keep    ${name(e)}  (${e.reason})`);
  for (const e of report.removed)
    out(`  ${report.dryRun ? 'would delete' : 'deleted'}  ${name(e)}  (${e.reason})`);
  const foreign =
    report.foreign > 0 ? `; ${report.foreign} tag(s) of images Butler did not build left alone` : '';
  out(
    report.dryRun
      ? `Dry run on ${report.registry}: ${report.removed.length} image(s) would be deleted, ${report.kept.length} kept${foreign}; nothing was deleted.`
      : `Deleted ${report.removed.length} image(s) from ${report.registry}, kept ${report.kept.length}${foreign}. Run the registry's garbage collection to free the blobs.`,
  );
}

export function printRetentionReport(report: RetentionReport, io: CliIo): void {
  const out = (line: string) => io.stdout.write(`${line}\n`);
  const name = (e: RetentionReport['kept'][number]) => e.tags[0] ?? e.id.slice(7, 19);
  for (const e of report.kept) {
    const users = e.containers.length > 0 ? ` by ${e.containers.join(', ')}` : '';
    out(`  keep    ${name(e)}  (${e.reason}${users})`);
  }
  for (const e of report.removed)
    out(`  ${report.dryRun ? 'would remove' : 'removed'}  ${name(e)}  (${e.reason})`);
  for (const e of report.lost) {
    io.stderr.write(
      `⚠️ ${name(e)} was removed while container ${e.containers.join(', ')} was being created from it\n`,
    );
  }
  const bytes = formatBytes(report.reclaimedBytes);
  out(
    report.dryRun
      ? `Dry run: ${report.removed.length} image(s) would go, about ${bytes} reclaimed; nothing was removed.`
      : `Removed ${report.removed.length} image(s), ${bytes} reclaimed; kept ${report.kept.length}.`,
  );
  const legacy = report.removed.filter((e) => e.legacy).length;
  if (legacy > 0) {
    out(
      `${legacy} image${legacy === 1 ? '' : 's'} from before Butler's labels ${report.dryRun ? 'would be ' : ''}removed`,
    );
  }
}

/** Columns padded to their widest cell, as `docker images` prints them. */
export function printTable(io: CliIo, header: string[], rows: string[][]): void {
  const widths = header.map((title, i) =>
    Math.max(title.length, ...rows.map((row) => (row[i] ?? '').length)),
  );
  for (const row of [header, ...rows]) {
    io.stdout.write(
      `${row
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd()}\n`,
    );
  }
}

/** `1m 05s`, `12.3s`, `850ms`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes}m ${String(Math.round((ms % 60_000) / 1000)).padStart(2, '0')}s`;
}

/** A failed deploy's or rollback's last container lines (UnhealthyDeployError carries them), before its one-line error. */
export function printContainerLogs(error: unknown, io: CliIo, whose: string): void {
  const logs = (error as { logs?: unknown }).logs;
  if (Array.isArray(logs) && logs.length > 0) {
    io.stderr.write(`── last lines ${whose} wrote ──\n${logs.map((l) => `   ${l}`).join('\n')}\n`);
  }
}
