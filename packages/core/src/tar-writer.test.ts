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
