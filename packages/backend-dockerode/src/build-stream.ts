import { ButlerError } from '@devops-butler/core';
import type Docker from 'dockerode';

interface BuildMessage {
  stream?: string;
  error?: string;
  errorDetail?: { message?: string };
  aux?: { ID?: string };
}

/** Follows an engine build stream to its end: forwards output lines, returns the image ID, or throws with the failing step. */
export function followBuild(
  docker: Docker,
  stream: NodeJS.ReadableStream,
  onOutput: (line: string) => void,
): Promise<string> {
  let imageId: string | undefined;
  let lastStep = '';
  let failure: string | undefined;
  return new Promise((resolve, reject) => {
    docker.modem.followProgress(
      stream,
      (error: Error | null) => {
        // A failing step arrives as an `error` message in the stream, not as a stream error.
        if (error || failure) reject(buildFailed(failure ?? (error as Error).message, lastStep));
        else if (imageId) resolve(imageId);
        else reject(new ButlerError('BUILD_FAILED', 'the engine finished the build without an image ID'));
      },
      (message: BuildMessage) => {
        if (message.aux?.ID) imageId = message.aux.ID;
        if (message.error) {
          failure = message.errorDetail?.message ?? message.error;
          return;
        }
        for (const line of (message.stream ?? '').split('\n')) {
          if (!line.trim()) continue;
          if (/^Step \d+\/\d+ :/.test(line)) lastStep = line;
          const built = /^Successfully built ([0-9a-f]+)/.exec(line);
          if (built && !imageId) imageId = built[1];
          onOutput(line);
        }
      },
    );
  });
}

function buildFailed(message: string, step: string): ButlerError {
  return new ButlerError('BUILD_FAILED', `build failed${step ? ` at ${step}` : ''}: ${message.trim()}`, {
    hint: 'fix the step above and run butler build again',
  });
}
