import { type BuildMessage, BuildProgress } from '@devops-butler/engine-client';
import type Docker from 'dockerode';

/** Follows a dockerode build stream to its end; resolves with the image ID. */
export function followBuild(
  docker: Docker,
  stream: NodeJS.ReadableStream,
  onOutput: (line: string) => void,
): Promise<string> {
  const progress = new BuildProgress(onOutput);
  return new Promise((resolve, reject) => {
    docker.modem.followProgress(
      stream,
      (error: Error | null) => {
        try {
          resolve(progress.finish(error));
        } catch (failure) {
          reject(failure);
        }
      },
      (message: BuildMessage) => progress.onMessage(message),
    );
  });
}
