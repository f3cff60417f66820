import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { HashInputs, InputFile } from '../kernel/types.js';
import { computeDigest } from './input-digest.js';

const digestOf = (text: string) => createHash('sha256').update(text).digest('hex');

/** Inputs touching every kind of line: escapes, non-ASCII names, a symlink, a folder, args, images. */
function inputs(files: InputFile[]): HashInputs {
  return {
    dockerfile: 'FROM base\nCOPY . /app\n',
    files,
    buildArgs: { B: 'two', A: 'one "quoted"' },
    target: 'runtime',
    platform: 'linux/amd64',
    images: { base: 'sha256:1111' },
    contributions: { 'butler:npm': 'express@4.19.0' },
    builder: 'buildkit',
  };
}

const FILES: InputFile[] = [
  { path: 'src', type: 'dir', executable: false, size: 0 },
  { path: 'src/app.js', type: 'file', executable: false, size: 3, sha256: digestOf('app') },
  { path: 'run.sh', type: 'file', executable: true, size: 3, sha256: digestOf('run') },
  { path: 'we "ird"\\ñame\t.txt', type: 'file', executable: false, size: 1, sha256: digestOf('w') },
  { path: 'zz-link', type: 'symlink', executable: false, size: 0, linkTarget: 'src/app.js' },
];

describe('computeDigest', () => {
  it('gives the digest it gave before: a change to the serialisation needs a new format name', () => {
    // Pinned (the same from the code before core hashed short input in script): every image
    // Butler tagged was named from this serialisation. If this fails and the change is meant,
    // bump HASH_FORMAT (old and new hashes must never collide) and pin anew.
    expect(computeDigest(inputs(FILES))).toBe(
      '55ed20c8793d13be11d1aef1c0a89cd6b338ebc1cc162b000936f6d99ce0bd9c',
    );
  });

  it('does not depend on the order the files come in', () => {
    expect(computeDigest(inputs([...FILES].reverse()))).toBe(computeDigest(inputs(FILES)));
  });

  it('hashes 20,000 files the same as they are split across its pieces', () => {
    const many: InputFile[] = Array.from({ length: 20_000 }, (_, i) => ({
      path: `d${String(i).padStart(5, '0')}/é-${i}.txt`,
      type: 'file',
      executable: i % 7 === 0,
      size: i,
      sha256: digestOf(String(i)),
    }));
    const lines = many.map(
      (file) => `"file" ${JSON.stringify(file.path)} ${file.executable ? '"x"' : '"-"'} "${file.sha256}"\n`,
    );
    const one = computeDigest({ ...inputs(many), buildArgs: {}, images: {}, contributions: {}, builder: '' });
    const header = [
      '"devops-butler/inputs/v1"',
      `"dockerfile" "${digestOf('FROM base\nCOPY . /app\n')}"`,
      '"target" "runtime"',
      '"platform" "linux/amd64"',
    ];
    expect(one).toBe(digestOf(`${header.join('\n')}\n${lines.join('')}`));
  });
});
