import { type BuildMessage, BuildProgress, type loadBuildkitDecoder } from '@devops-butler/engine-client';
import type Docker from 'dockerode';

/** Follows a dockerode build stream to its end; resolves with the image ID. */
export function followBuild(
  docker: Docker,
  stream: NodeJS.ReadableStream,
  onOutput: (line: string) => void,
  decodeBuildkit?: Awaited<ReturnType<typeof loadBuildkitDecoder>>,
): Promise<string> {
  const progress = new BuildProgress(onOutput);
  progress.decodeBuildkit = decodeBuildkit;
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
