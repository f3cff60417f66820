import type { IncomingMessage } from 'node:http';
import { ButlerError } from '@devops-butler/core';
import { closedDuring } from './engine-api.js';

export interface BuildMessage {
  stream?: string;
  error?: string;
  errorDetail?: { message?: string };
  aux?: { ID?: string };
}

/** Reads the engine's build messages: forwards output lines, remembers the image ID and the failure. */
export class BuildProgress {
  private imageId: string | undefined;
  private lastStep = '';
  private failure: string | undefined;

  constructor(private readonly onOutput: (line: string) => void) {}

  onMessage(message: BuildMessage): void {
    if (message.aux?.ID) this.imageId = message.aux.ID;
    if (message.error) {
      this.failure = message.errorDetail?.message ?? message.error;
      return;
    }
    for (const line of (message.stream ?? '').split('\n')) {
      if (!line.trim()) continue;
      if (/^Step \d+\/\d+ :/.test(line)) this.lastStep = line;
      const built = /^Successfully built ([0-9a-f]+)/.exec(line);
      if (built && !this.imageId) this.imageId = built[1];
      this.onOutput(line);
    }
  }

  /** The image ID, or the error to throw: a failing step arrives as a message, not a stream error. */
  finish(error?: Error | null): string {
    if (error || this.failure) throw buildFailed(this.failure ?? (error as Error).message, this.lastStep);
    if (!this.imageId)
      throw new ButlerError('BUILD_FAILED', 'the engine finished the build without an image ID');
    return this.imageId;
  }
}

/** Follows a plain HTTP build response (one JSON message per line) to its end. */
export async function followBuildResponse(
  response: IncomingMessage,
  onOutput: (line: string) => void,
): Promise<string> {
  const progress = new BuildProgress(onOutput);
  let pending = '';
  try {
    for await (const chunk of response) {
      pending += (chunk as Buffer).toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) progress.onMessage(JSON.parse(line) as BuildMessage);
    }
  } catch (error) {
    throw closedDuring(error as Error, 'POST', '/build');
  }
  // An answer cut off by a dying engine ends without its last message: not a finished build.
  if (!response.complete) throw closedDuring(new Error('aborted'), 'POST', '/build');
  if (pending.trim()) progress.onMessage(JSON.parse(pending) as BuildMessage);
  return progress.finish();
}

function buildFailed(message: string, step: string): ButlerError {
  return new ButlerError('BUILD_FAILED', `build failed${step ? ` at ${step}` : ''}: ${message.trim()}`, {
    hint: 'fix the step above and run butler build again',
  });
}
