import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { configFileIn } from '@devops-butler/core';

/**
 * The config file for a build in `dir`: the first folder from `dir` upwards that holds one, but
 * never above the project's top — the nearest folder with `.git` or `package.json` (that folder
 * included). Without such a folder only `dir` itself is searched. A config in a parent folder is
 * someone else's code (a shared /tmp, a home folder, a CI workspace), so it is never run.
 */
export function findConfigFile(dir: string): string | undefined {
  const top = projectTop(resolve(dir));
  for (let folder = resolve(dir); ; folder = dirname(folder)) {
    const file = configFileIn(folder);
    if (file) return join(folder, file);
    if (folder === top || folder === dirname(folder)) return undefined;
  }
}

/** The nearest folder from `dir` upwards that is a git top level or holds a package.json; else `dir`. */
export function projectTop(dir: string): string {
  for (let folder = dir; ; folder = dirname(folder)) {
    if (existsSync(join(folder, '.git')) || existsSync(join(folder, 'package.json'))) return folder;
    if (folder === dirname(folder)) return dir;
  }
}
