import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A repository name no other test (or test run) uses, so each test only ever touches its own images. */
export function uniqueRepo(label: string): string {
  return `butler-test-${label}-${randomBytes(3).toString('hex')}`;
}

/** Removes every image whose reference is under `{registry}/{repo}` — only what the calling test made. */
export async function removeRepoImages(reference: string): Promise<void> {
  const { stdout } = await run('docker', ['image', 'ls', '--format', '{{.Repository}}:{{.Tag}}', reference]);
  const refs = stdout.split('\n').filter(Boolean);
  if (refs.length > 0) await run('docker', ['image', 'rm', ...refs]).catch(() => undefined);
}

/**
 * Removes the untagged images a test left behind (a multi-stage build's builder stage, an image a
 * forced rebuild replaced). Only images built on the test base images (they inherit its label) and
 * created since `since` are candidates, and removal is never forced, so an image in use stays.
 */
export async function removeDanglingTestImages(since: Date): Promise<void> {
  const { stdout } = await run('docker', [
    'image', 'ls', '-q', '--no-trunc',
    '--filter', 'dangling=true',
    '--filter', 'label=devops-butler.test-base-inputs',
    '--format', '{{.ID}} {{.CreatedAt}}',
  ]);
  const ids = stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split(' '))
    .filter(([, ...created]) => new Date(created.slice(0, 3).join(' ').replace(/ \+0000$/, 'Z')).getTime() >= since.getTime() - 1000)
    .map(([id]) => id as string);
  for (const id of ids) await run('docker', ['image', 'rm', id]).catch(() => undefined);
}
