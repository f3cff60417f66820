import { execFileSync } from 'node:child_process';
import { lstatSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeTree } from '@devops-butler/test-support';
import { expect, test } from 'vitest';
import { tarMembers } from './tar-writer.js';

const long = `${'deep-folder-name/'.repeat(8)}${'f'.repeat(90)}.txt`; // prefix + name split
const longer = `${'x'.repeat(120)}/${'y'.repeat(120)}.txt`; // needs a pax path record

test('GNU tar reads back every member: long names, modes, symlinks, folders, big files', async () => {
  const big = Buffer.alloc(3 * 1024 * 1024 + 7, 1);
  const tree = await makeTree({
    'a.txt': 'hello\n',
    'run.sh': { content: '#!/bin/sh\n', mode: 0o755 },
    [long]: 'long\n',
    [longer]: 'longer\n',
    link: { symlink: `${'t'.repeat(150)}/target` },
    empty: { dir: true },
    'big.bin': big,
  });
  const out = mkdtempSync(join(tmpdir(), 'tar-out-'));
  try {
    const paths = ['a.txt', 'run.sh', long, longer, 'link', 'empty', 'big.bin'];
    const chunks: Buffer[] = [];
    for await (const chunk of tarMembers(tree.dir, [
      ...paths.map((path) => ({ path })),
      { name: 'mem', content: Buffer.from('m') },
    ]))
      chunks.push(chunk);
    const archive = join(out, 'x.tar');
    writeFileSync(archive, Buffer.concat(chunks));
    const listed = execFileSync('tar', ['-tf', archive], { encoding: 'utf8' }).trim().split('\n');
    expect(listed).toEqual(['a.txt', 'run.sh', long, longer, 'link', 'empty/', 'big.bin', 'mem']);
    execFileSync('tar', ['-xf', archive, '-C', out]);
    expect(readFileSync(join(out, longer), 'utf8')).toBe('longer\n');
    expect(readFileSync(join(out, long), 'utf8')).toBe('long\n');
    expect(lstatSync(join(out, 'run.sh')).mode & 0o777).toBe(0o755);
    expect(readlinkSync(join(out, 'link'))).toBe(`${'t'.repeat(150)}/target`);
    expect(readFileSync(join(out, 'big.bin')).equals(big)).toBe(true);
    expect(readFileSync(join(out, 'mem'), 'utf8')).toBe('m');
  } finally {
    rmSync(out, { recursive: true, force: true });
    await tree.remove();
  }
});

test('a file dated before 1970 still makes a valid tar (its time is stored as 0, as Docker does)', async () => {
  const tree = await makeTree({ 'old.txt': 'old\n' });
  const out = mkdtempSync(join(tmpdir(), 'tar-out-'));
  try {
    // Node's utimes turns a negative time into now: touch sets a real one.
    execFileSync('touch', ['-d', '1960-01-01', join(tree.dir, 'old.txt')]);
    const chunks: Buffer[] = [];
    for await (const chunk of tarMembers(tree.dir, [{ path: 'old.txt' }])) chunks.push(chunk);
    // The mtime field: 11 octal digits and a NUL (Go's archive/tar, the engine's reader, is strict).
    expect(Buffer.concat(chunks).subarray(136, 148).toString('latin1')).toMatch(/^[0-7]{11}\0$/);
    writeFileSync(join(out, 'x.tar'), Buffer.concat(chunks));
    execFileSync('tar', ['-xf', join(out, 'x.tar'), '-C', out]);
    expect(readFileSync(join(out, 'old.txt'), 'utf8')).toBe('old\n');
  } finally {
    rmSync(out, { recursive: true, force: true });
    await tree.remove();
  }
});
