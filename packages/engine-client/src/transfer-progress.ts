/** One line of the engine's pull or push stream. */
export interface TransferMessage {
  id?: string;
  status?: string;
  progressDetail?: { current?: number; total?: number };
}

const DONE = /^(Pull complete|Already exists|Download complete|Pushed|Layer already exists|Mounted from)/;
const MOVING = /^(Downloading|Pushing)/;
/** What the engine says of a layer (a `Pulling from …` line carries the tag as its id: not a layer). */
const LAYER = /^(Pulling fs layer|Waiting|Preparing|Verifying Checksum|Extracting|Retrying)/;

/**
 * How far a pull or push has come, from the engine's per-layer messages: layers finished, bytes
 * moved of the bytes known (a layer's size is known once it starts moving).
 */
export class TransferProgress {
  private readonly layers = new Map<string, { current: number; total: number; done: boolean }>();

  constructor(private readonly what: string) {}

  add(message: TransferMessage): void {
    const { id, status = '' } = message;
    if (!id || !(LAYER.test(status) || MOVING.test(status) || DONE.test(status))) return;
    const layer = this.layers.get(id) ?? { current: 0, total: 0, done: false };
    if (MOVING.test(status)) {
      layer.current = message.progressDetail?.current ?? layer.current;
      layer.total = message.progressDetail?.total ?? layer.total;
    } else if (DONE.test(status)) {
      layer.done = true;
      layer.current = layer.total;
    }
    this.layers.set(id, layer);
  }

  /** `⬇️ Pulling x: 2 of 5 layers, 120.4 of 230.0 MB (52%)` */
  text(): string {
    const layers = [...this.layers.values()];
    const done = layers.filter((l) => l.done).length;
    const total = layers.reduce((sum, l) => sum + l.total, 0);
    const current = layers.reduce((sum, l) => sum + Math.min(l.current, l.total), 0);
    const bytes =
      total > 0
        ? `, ${megabytes(current)} of ${megabytes(total)} MB (${Math.floor((current * 100) / total)}%)`
        : '';
    return `${this.what}: ${done} of ${layers.length} layers${bytes}`;
  }
}

function megabytes(bytes: number): string {
  return (bytes / 1e6).toFixed(1);
}

/** Splits a stream of bytes into JSON messages, one per line (a line may span chunks). */
export function jsonLines(onMessage: (message: TransferMessage) => void): (chunk: Buffer) => void {
  let pending = '';
  return (chunk) => {
    pending += chunk.toString('utf8');
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.trim()) continue;
      try {
        onMessage(JSON.parse(line) as TransferMessage);
      } catch {
        // Not JSON: nothing to count.
      }
    }
  };
}
