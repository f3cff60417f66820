import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** A file's content, or a richer entry for modes, symlinks and empty folders. */
export type TreeEntry =
  | string
  | Buffer
  | { content: string | Buffer; mode: number }
  | { symlink: string }
  | { dir: true };

export interface FixtureTree {
  dir: string;
  /** Writes (or overwrites) more entries below the tree. */
  write(entries: Record<string, TreeEntry>): Promise<void>;
  remove(): Promise<void>;
}

/** Makes a temporary folder from an object of `{ relativePath: content }`. */
export async function makeTree(
  entries: Record<string, TreeEntry>,
  prefix = 'butler-fixture-',
): Promise<FixtureTree> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const tree: FixtureTree = {
    dir,
    write: (more) => writeEntries(dir, more),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
  await tree.write(entries);
  return tree;
}

async function writeEntries(root: string, entries: Record<string, TreeEntry>): Promise<void> {
  for (const [relPath, entry] of Object.entries(entries)) {
    const target = join(root, relPath);
    if (typeof entry === 'object' && 'dir' in entry) {
      await mkdir(target, { recursive: true });
      continue;
    }
    await mkdir(dirname(target), { recursive: true });
    if (typeof entry === 'object' && 'symlink' in entry) {
      await rm(target, { force: true });
      await symlink(entry.symlink, target);
    } else if (typeof entry === 'object' && 'mode' in entry) {
      await writeFile(target, entry.content);
      await chmod(target, entry.mode);
    } else {
      await writeFile(target, entry);
    }
  }
}
