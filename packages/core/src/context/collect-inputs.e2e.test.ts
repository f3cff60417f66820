import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { makeTree, type TreeEntry, uniqueRepo } from '@devops-butler/test-support';
import { expect, test } from 'vitest';
import { collectInputs } from './collect-inputs.js';

const run = promisify(execFile);

/** A small deterministic PRNG, so every run generates the same trees. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

const NAMES = [
  'a',
  'b',
  'src',
  'lib',
  'node_modules',
  'keep',
  'tmp',
  'x.log',
  'y.txt',
  'z.md',
  '.hidden',
  'deep',
];

function generateTree(seed: number): Record<string, TreeEntry> {
  const next = random(seed);
  const pick = () => NAMES[Math.floor(next() * NAMES.length)] as string;
  const entries: Record<string, TreeEntry> = {};
  for (let i = 0; i < 40; i++) {
    const depth = 1 + Math.floor(next() * 4);
    const parts = Array.from({ length: depth }, pick);
    entries[`${parts.join('/')}.f${i}`] = `content ${i}\n`;
  }
  entries['empty/dir'] = { dir: true };
  return entries;
}

const IGNORE_FILES = [
  '',
  '**/*.log\n',
  'node_modules\n**/tmp\n',
  '*\n!keep\n!Dockerfile\n',
  'a/**\n!a/**/*.txt*\n',
  '**/.hidden*\nsrc/*/\n!src/keep*\n',
  'deep\n!deep/**/keep/**\n',
  '/b\n*.md*\n.dockerignore\n',
];

/** What Docker itself put in the image: build FROM scratch + COPY . /ctx/, export, list. */
async function filesDockerCopies(dir: string): Promise<string[]> {
  const tag = `${uniqueRepo('oracle')}:latest`;
  await run('docker', ['build', '-q', '-t', tag, dir], { env: { ...process.env, DOCKER_BUILDKIT: '0' } });
  try {
    const { stdout: container } = await run('docker', ['create', tag, 'none']);
    try {
      return await new Promise<string[]>((resolve, reject) => {
        const exporter = spawn('docker', ['export', container.trim()]);
        const lister = spawn('tar', ['-t']);
        exporter.stdout.pipe(lister.stdin);
        let out = '';
        lister.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
        });
        lister.on('close', (code) => {
          if (code !== 0) reject(new Error(`tar -t exited ${code}`));
          const paths = out
            .split('\n')
            .filter((p) => p.startsWith('ctx/') && p !== 'ctx/')
            .map((p) => p.slice('ctx/'.length).replace(/\/$/, ''));
          resolve(paths.sort());
        });
      });
    } finally {
      await run('docker', ['rm', container.trim()]);
    }
  } finally {
    await run('docker', ['image', 'rm', tag]);
  }
}

test.each(IGNORE_FILES.map((ignore, i) => [i, ignore] as const))(
  'lists exactly what Docker copies for generated tree %i',
  async (i, ignore) => {
    const tree = await makeTree({
      ...generateTree(1000 + i),
      Dockerfile: 'FROM scratch\nCOPY . /ctx/\n',
      ...(ignore ? { '.dockerignore': ignore } : {}),
    });
    try {
      const collected = await collectInputs({ context: tree.dir });
      expect(collected.wholeContext).toBe(false);
      expect(collected.files).toEqual(await filesDockerCopies(tree.dir));
    } finally {
      await tree.remove();
    }
  },
);
