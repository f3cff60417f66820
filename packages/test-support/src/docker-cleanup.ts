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
