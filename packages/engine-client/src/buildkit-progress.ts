import type { BuildkitStatus, Timestamp } from './buildkit-status.js';

interface Step {
  number: number;
  name: string;
  started?: BuildkitStatus['vertexes'][number]['started'];
  shown: boolean;
  cachedShown: boolean;
  ended: boolean;
  /** The step's own output, for the failure message (the last lines only). */
  output: string[];
  /** Output not yet ended by a newline, per stream. */
  partial: Map<bigint, string>;
}

/** A failed step: its name as BuildKit shows it, its error, and the last lines it wrote. */
export interface FailedStep {
  name: string;
  error: string;
  output: string[];
}

const OUTPUT_KEPT = 20;

/**
 * Turns BuildKit's status messages into the lines `docker build --progress=plain` prints:
 * `#5 [2/3] RUN npm ci`, the command's output as `#5 0.412 added 80 packages`, then `#5 CACHED`,
 * `#5 DONE 3.1s` or `#5 ERROR: …`. Steps are numbered in the order they first appear.
 */
export class BuildkitPlainProgress {
  private readonly steps = new Map<string, Step>();
  private failed: FailedStep | undefined;

  constructor(private readonly onOutput: (line: string) => void) {}

  onStatus(status: BuildkitStatus): void {
    for (const vertex of status.vertexes) {
      const step = this.step(vertex.digest, vertex.name);
      if (vertex.started) step.started = vertex.started;
      if (vertex.cached && !step.cachedShown && !step.ended) {
        this.show(step);
        this.onOutput(`#${step.number} CACHED`);
        step.cachedShown = true;
        step.ended = true;
      }
      if (vertex.error && !step.ended) {
        this.show(step);
        this.flush(step);
        this.onOutput(`#${step.number} ERROR: ${vertex.error}`);
        step.ended = true;
        this.failed ??= { name: step.name, error: vertex.error, output: step.output };
      } else if (vertex.completed && !step.ended) {
        this.show(step);
        this.flush(step);
        const seconds = secondsBetween(vertex.started, vertex.completed);
        this.onOutput(`#${step.number} DONE${seconds === undefined ? '' : ` ${seconds.toFixed(1)}s`}`);
        step.ended = true;
      } else if (vertex.started) this.show(step);
    }
    for (const log of status.logs) {
      const step = this.step(log.vertex, '');
      this.show(step);
      const text = (step.partial.get(log.stream) ?? '') + Buffer.from(log.msg).toString('utf8');
      const lines = text.split(/\r?\n/);
      step.partial.set(log.stream, lines.pop() ?? '');
      const at = secondsBetween(step.started, log.timestamp);
      for (const line of lines) this.line(step, line, at);
    }
    for (const warning of status.warnings) {
      const step = this.step(warning.vertex, '');
      this.onOutput(`#${step.number} WARN: ${Buffer.from(warning.short).toString('utf8')}`);
    }
  }

  /** The first step that failed, with its last lines of output. */
  failure(): FailedStep | undefined {
    return this.failed;
  }

  private step(digest: string, name: string): Step {
    let step = this.steps.get(digest);
    if (!step) {
      step = {
        number: this.steps.size + 1,
        name,
        shown: false,
        cachedShown: false,
        ended: false,
        output: [],
        partial: new Map(),
      };
      this.steps.set(digest, step);
    }
    if (name && !step.name) step.name = name;
    return step;
  }

  private show(step: Step): void {
    if (step.shown || !step.name) return;
    step.shown = true;
    this.onOutput(`#${step.number} ${step.name}`);
  }

  private line(step: Step, line: string, at: number | undefined): void {
    step.output.push(line);
    if (step.output.length > OUTPUT_KEPT) step.output.shift();
    this.onOutput(`#${step.number}${at === undefined ? '' : ` ${at.toFixed(3)}`} ${line}`);
  }

  /** Output a step wrote without a final newline, once the step ends. */
  private flush(step: Step): void {
    for (const [stream, rest] of step.partial) {
      if (rest) this.line(step, rest, undefined);
      step.partial.delete(stream);
    }
  }
}

/** Seconds between two protobuf timestamps. */
function secondsBetween(from: Timestamp | undefined, to: Timestamp | undefined): number | undefined {
  if (!from || !to) return undefined;
  return Number(to.seconds - from.seconds) + (to.nanos - from.nanos) / 1e9;
}
