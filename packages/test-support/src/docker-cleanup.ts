import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A repository name no other test (or test run) uses, so each test only ever touches its own images. */
export function uniqueRepo(label: string): string {
  return `butler-test-${label}-${randomBytes(3).toString('hex')}`;
}

/** The tags under `{registry}/{repo}`, as `docker image ls` shows them. */
export async function repoTags(reference: string): Promise<string[]> {
  const { stdout } = await run('docker', ['image', 'ls', '--format', '{{.Tag}}', reference]);
  return stdout.split('\n').filter(Boolean);
}

/** Removes every image whose reference is under `{registry}/{repo}` — only what the calling test made. */
export async function removeRepoImages(reference: string): Promise<void> {
  const { stdout } = await run('docker', ['image', 'ls', '--format', '{{.Repository}}:{{.Tag}}', reference]);
  const refs = stdout.split('\n').filter(Boolean);
  if (refs.length > 0) await run('docker', ['image', 'rm', ...refs]).catch(() => undefined);
}

/** The label a test's Dockerfile sets (`LABEL ${OWNER_LABEL}=<repo>`) so its untagged images can be found. */
export const OWNER_LABEL = 'devops-butler.test-owner';

/**
 * Removes the untagged images a test left behind (a multi-stage build's builder stage, the image a
 * forced rebuild replaced, the steps of a failed build). Only images carrying the test's own owner
 * label are candidates, and removal is never forced, so an image in use stays.
 */
export async function removeOwnedDanglingImages(owner: string): Promise<void> {
  const { stdout } = await run('docker', [
    'image',
    'ls',
    '-q',
    '--no-trunc',
    '--filter',
    'dangling=true',
    '--filter',
    `label=${OWNER_LABEL}=${owner}`,
  ]);
  for (const id of stdout.split('\n').filter(Boolean))
    await run('docker', ['image', 'rm', id]).catch(() => undefined);
}
