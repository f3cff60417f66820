import { homedir } from 'node:os';
import { join } from 'node:path';

/** `$BUTLER_STATE_DIR`, else `$XDG_STATE_HOME/devops-butler`, else `~/.local/state/devops-butler`. */
export function defaultStateDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.BUTLER_STATE_DIR) return env.BUTLER_STATE_DIR;
  const base = env.XDG_STATE_HOME || join(homedir(), '.local', 'state');
  return join(base, 'devops-butler');
}
