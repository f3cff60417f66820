import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Reads a fixture folder into `{ relativePath: content }` (for makeTree), skipping node_modules. */
export function readFixtureTree(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (folder: string): void => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      if (entry.name === 'node_modules') continue;
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      else files[relative(dir, path).split('\\').join('/')] = readFileSync(path, 'utf8');
    }
  };
  walk(dir);
  return files;
}
