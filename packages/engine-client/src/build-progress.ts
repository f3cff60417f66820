import type { IncomingMessage } from 'node:http';
import { ButlerError } from '@devops-butler/core';
import { BuildkitPlainProgress } from './buildkit-progress.js';
import type { BuildkitStatus } from './buildkit-status.js';
import { closedDuring } from './engine-api.js';

export interface BuildMessage {
  stream?: string;
  error?: string;
  errorDetail?: { message?: string };
  /** `moby.buildkit.trace` (aux: base64 StatusResponse) or `moby.image.id` (aux: { ID }) under BuildKit. */
  id?: string;
  aux?: { ID?: string } | string;
}

/** Decodes a `moby.buildkit.trace` message's base64 protobuf (loaded only when BuildKit builds). */
export type BuildkitDecoder = (base64: string) => BuildkitStatus;

/** The decoder, loaded on demand: the protobuf runtime is never on a cache hit's path. */
export async function loadBuildkitDecoder(): Promise<BuildkitDecoder> {
  return (await import('./buildkit-status.js')).decodeBuildkitStatus;
}

/** Reads the engine's build messages: forwards output lines, remembers the image ID and the failure. */
export class BuildProgress {
  private imageId: string | undefined;
  private lastStep = '';
  private failure: string | undefined;
  private buildkit: BuildkitPlainProgress | undefined;
  /** Set by the caller once a BuildKit status message is seen. */
  decodeBuildkit: BuildkitDecoder | undefined;

  constructor(private readonly onOutput: (line: string) => void) {}

  onMessage(message: BuildMessage): void {
    if (message.id === 'moby.buildkit.trace' && typeof message.aux === 'string') {
      // Never shown raw: an undecodable status is dropped (the build's own result still counts).
      if (!this.decodeBuildkit) return;
      let status: BuildkitStatus;
      try {
        status = this.decodeBuildkit(message.aux);
      } catch {
        return;
      }
      this.buildkit ??= new BuildkitPlainProgress(this.onOutput);
      this.buildkit.onStatus(status);
      return;
    }
    if (typeof message.aux === 'object' && message.aux?.ID) this.imageId = message.aux.ID;
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
    const step = this.buildkit?.failure();
    if (step && (error || this.failure)) throw buildkitStepFailed(step);
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
      for (const line of lines) {
        if (!line.trim()) continue;
        const message = JSON.parse(line) as BuildMessage;
        // The protobuf decoder loads with the first BuildKit status: a classic build never pays for it.
        if (message.id === 'moby.buildkit.trace' && !progress.decodeBuildkit) {
          progress.decodeBuildkit = await loadBuildkitDecoder();
        }
        progress.onMessage(message);
      }
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

/** BuildKit's failed step: named as BuildKit names it, with the exit code, and its last output lines. */
function buildkitStepFailed(step: FailedStepOf): ButlerError {
  const code = /exit code: (\d+)/.exec(step.error)?.[1];
  const reason = code === undefined ? step.error.trim() : `exited with code ${code}`;
  return new ButlerError('BUILD_FAILED', `build failed at ${step.name}: ${reason}`, {
    hint: 'fix the step above and run butler build again',
    output: step.output,
  });
}

type FailedStepOf = NonNullable<ReturnType<BuildkitPlainProgress['failure']>>;
