// The butler command as it ships: dist/ (tsc's output, one module per file) bundled into bundle/,
// so a cache hit loads a few files instead of ~200 (each costs a resolution, a read and a compile).
// Commands stay separate chunks, loaded only when called. Kept as files beside the bundle: the
// hashing worker (its own entry), and two CommonJS files loaded lazily (a hit loads neither): the
// Dockerfile parser and sucrase, each bundled with what it requires.
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const cli = join(dirname(fileURLToPath(import.meta.url)), '..');
const core = join(cli, 'node_modules/@devops-butler/core');
const { version } = JSON.parse(readFileSync(join(core, 'package.json'), 'utf8'));
const outdir = join(cli, 'bundle');
const DOCKERFILE_AST_FILE = 'dockerfile-ast.cjs';

// `import … from 'node:fs'` makes Node build a module facade that reads every export, the lazy
// ones too: `fs.promises` and the stream classes load fs/promises, readline and the streams on
// every run (a small cache hit, which calls none of them, was 10 ms faster without; see
// docs/benchmarks.md, session 16). In the bundle, `node:fs`
// becomes the plain values of `process.getBuiltinModule('node:fs')`, its getters left unread
// (esbuild refuses to build an import of one), and `node:fs/promises` functions that load it on
// their first call.
const fsWithoutFacade = {
  name: 'fs-without-facade',
  setup(build) {
    build.onResolve({ filter: /^node:fs(\/promises)?$/ }, (args) => ({
      path: args.path,
      namespace: 'fs-without-facade',
    }));
    build.onLoad({ filter: /.*/, namespace: 'fs-without-facade' }, ({ path }) => {
      const real = createRequire(import.meta.url)(path);
      const plain = Object.entries(Object.getOwnPropertyDescriptors(real))
        .filter(([name, descriptor]) => !descriptor.get && name !== 'default')
        .map(([name]) => name);
      const contents =
        path === 'node:fs'
          ? `const fs = process.getBuiltinModule('node:fs');\nexport const { ${plain.join(', ')} } = fs;\nexport default fs;\n`
          : [
              "const fsPromises = () => process.getBuiltinModule('node:fs/promises');",
              // fs/promises' one value that is no function is the same object as fs's.
              "export const { constants } = process.getBuiltinModule('node:fs');",
              ...plain
                .filter((name) => typeof real[name] === 'function')
                .map((name) => `export function ${name}(...args) { return fsPromises().${name}(...args); }`),
            ].join('\n');
      return { contents, loader: 'js' };
    });
  },
};

rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: {
    bin: join(cli, 'dist/bin.js'),
    // core's file-digest.ts starts it as `new URL('./file-digest-worker.js', import.meta.url)`.
    'file-digest-worker': join(core, 'dist/hashing/file-digest-worker.js'),
  },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node22.13',
  external: ['dockerfile-ast'],
  // Bundled CommonJS (tapable) requires Node's builtins: give the ESM chunks a `require`.
  banner: {
    js: "import { createRequire as __butlerRequire } from 'node:module'; const require = __butlerRequire(import.meta.url);",
  },
  // core reads its version from its package.json beside dist/; the bundle carries it instead.
  // dockerfile-ast is loaded from the one file made of it below (./ from the chunk that asks).
  define: {
    BUTLER_BUNDLED_VERSION: JSON.stringify(version),
    BUTLER_BUNDLED_DOCKERFILE_AST: JSON.stringify(`./${DOCKERFILE_AST_FILE}`),
  },
  // Flat: chunks find the worker (./file-digest-worker.js) and ../loader/ as dist/ files do.
  legalComments: 'none',
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
  plugins: [fsWithoutFacade],
});

// dockerfile-ast and the language-server types it requires are 37 CommonJS files: 10 ms to load
// on every cold analysis (a fresh checkout, a changed Dockerfile). As one file, 4–5 ms. Core loads
// it synchronously with require, so it stays CommonJS, apart from the ESM chunks.
await build({
  entryPoints: [createRequire(join(cli, 'package.json')).resolve('dockerfile-ast')],
  outfile: join(outdir, DOCKERFILE_AST_FILE),
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node22.13',
  // Their sources carry no license comments for esbuild to keep: the notices, from their License.txt.
  banner: {
    js: '/*! dockerfile-ast: MIT License, Copyright (c) 2017-2021 Remy Suen. vscode-languageserver-types, vscode-languageserver-textdocument: MIT License, Copyright (c) Microsoft Corporation. */',
  },
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
});

// sucrase strips the types of a TypeScript config (loader/ts-config-hooks.mjs, load-config.ts's
// syntax errors). As a dependency it brought 17 packages, most for its own command line (commander,
// tinyglobby, mz); its transform needs three. Bundled as one CommonJS file it installs nothing and
// loads at once; loader/ and dist/ reach it as ../bundle/sucrase.cjs, as the bundle's chunks do.
const sucrase = await build({
  entryPoints: [createRequire(join(cli, 'package.json')).resolve('sucrase')],
  outfile: join(outdir, 'sucrase.cjs'),
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node22.13',
  metafile: true,
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
});
// Their licenses travel with the code: each bundled package's license file, in one text beside it.
writeFileSync(join(outdir, 'sucrase.cjs.LICENSES.txt'), bundledLicenses(sucrase.metafile));

/** The license files of every package whose code a metafile's output holds, one after another. */
function bundledLicenses(metafile) {
  const roots = new Set();
  for (const input of Object.keys(metafile.inputs)) {
    const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (match) roots.add(match[1]);
  }
  return [...roots]
    .sort()
    .map((root) => {
      const dir = join(cli, root);
      const { name, version, license } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      const file = readdirSync(dir).find((entry) => /^licen[cs]e/i.test(entry));
      if (!file) throw new Error(`bundle: ${name} ships no license file to carry with its code`);
      return `${name} ${version} (${license})\n\n${readFileSync(join(dir, file), 'utf8').trim()}\n`;
    })
    .join(`\n${'-'.repeat(72)}\n\n`);
}
