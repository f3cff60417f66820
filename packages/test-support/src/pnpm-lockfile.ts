import { createHash } from 'node:crypto';

/**
 * A pnpm v9 project of `count` packages (a tenth of them direct), shaped like a real monorepo's
 * lockfile — importers, packages with integrity, engines and peers, snapshots with ~30 dependencies each — about
 * 1 KB per package (1,400 packages ≈ vite's 1.4 MB pnpm-lock.yaml). Deterministic.
 */
export function generatePnpmProject(count: number): { 'package.json': string; 'pnpm-lock.yaml': string } {
  const name = (i: number) => (i % 7 === 0 ? `@scope-${i % 13}/pkg-${i}` : `pkg-${i}`);
  const version = (i: number) => `${1 + (i % 5)}.${i % 17}.${i % 9}`;
  const integrity = (i: number) => `sha512-${createHash('sha512').update(String(i)).digest('base64')}`;
  const direct = Array.from({ length: Math.ceil(count / 10) }, (_, i) => i * 10);
  const quoted = (text: string) => (text.startsWith('@') ? `'${text}'` : text);
  const lines = [
    "lockfileVersion: '9.0'",
    '',
    'settings:',
    '  autoInstallPeers: true',
    '',
    'importers:',
    '',
    '  .:',
    '    dependencies:',
  ];
  for (const i of direct) {
    lines.push(
      `      ${quoted(name(i))}:`,
      `        specifier: ^${version(i)}`,
      `        version: ${version(i)}`,
    );
  }
  lines.push('', 'packages:', '');
  for (let i = 0; i < count; i++) {
    lines.push(
      `  ${quoted(`${name(i)}@${version(i)}`)}:`,
      `    resolution: {integrity: ${integrity(i)}}`,
      "    engines: {node: '>=18'}",
      ...(i % 3 === 0
        ? [
            '    peerDependencies:',
            `      ${quoted(name((i + 1) % count))}: ^${version((i + 1) % count)}`,
            '    peerDependenciesMeta:',
            `      ${quoted(name((i + 1) % count))}:`,
            '        optional: true',
          ]
        : []),
      ...(i % 4 === 0 ? ['    hasBin: true'] : []),
      '',
    );
  }
  lines.push('snapshots:', '');
  for (let i = 0; i < count; i++) {
    lines.push(`  ${quoted(`${name(i)}@${version(i)}`)}:`);
    const deps = Array.from({ length: 30 }, (_, k) => k + 1)
      .map((k) => (i * 7 + k * 31) % count)
      .filter((d) => d !== i);
    lines.push('    dependencies:');
    for (const d of deps) lines.push(`      ${quoted(name(d))}: ${version(d)}`);
    lines.push('');
  }
  const packageJson = {
    name: 'generated-monorepo',
    private: true,
    dependencies: Object.fromEntries(direct.map((i) => [name(i), `^${version(i)}`])),
  };
  return {
    'package.json': `${JSON.stringify(packageJson, null, 2)}\n`,
    'pnpm-lock.yaml': `${lines.join('\n')}\n`,
  };
}
