import { expect, test } from 'vitest';
import { analyzeDockerfile } from './dockerfile-analysis.js';

const sources = (text: string, options: Parameters<typeof analyzeDockerfile>[1] = {}) =>
  analyzeDockerfile(text, options).sources.map((s) => s.path);

test('reads JSON-form COPY, flags and line continuations', () => {
  const text =
    'FROM scratch\nCOPY --chown=1:1 --chmod=755 ["a b.txt", "c", "/dst/"]\nADD --link x \\\n  y /z/\n';
  expect(sources(text)).toEqual(['a b.txt', 'c', 'x', 'y']);
});

test('a heredoc COPY reads no context file, and its body is not parsed as instructions', () => {
  const text = 'FROM scratch\nCOPY <<EOF /file\nCOPY secret /x\nEOF\nRUN <<EOF\nCOPY other /y\nEOF\n';
  expect(sources(text)).toEqual([]);
});

test('expands ARG before FROM, stage ARGs with build args, ENV and ${VAR:-default}', () => {
  const text =
    'ARG BASE=busybox\nFROM ${BASE}\nARG SRC=src\nENV OUT=dist\nCOPY ${SRC}/ /app/\nCOPY ${MISSING:-lib} $OUT /app/\n';
  const analysis = analyzeDockerfile(text, { buildArgs: { SRC: 'source', BASE: 'alpine' } });
  expect(analysis.sources.map((s) => s.path)).toEqual(['source/', 'lib', 'dist']);
  expect(analysis.images).toEqual(['alpine']);
});

test('honours the escape directive', () => {
  expect(sources('# escape=`\nFROM scratch\nCOPY a `\n  b /x/\n')).toEqual(['a', 'b']);
});

test('follows only the stages the target needs; --from images are dependencies', () => {
  const text =
    'FROM node:20 AS deps\nCOPY package.json .\n' +
    'FROM golang AS unused\nCOPY go.mod .\n' +
    'FROM deps AS final\nCOPY --from=registry/tool:1 /bin/tool /bin/\nCOPY src/ .\n' +
    'RUN --mount=type=bind,source=scripts,target=/s --mount=type=cache,target=/c true\n';
  const analysis = analyzeDockerfile(text);
  expect(analysis.sources.map((s) => s.path).sort()).toEqual(['package.json', 'scripts', 'src/']);
  expect(analysis.images).toEqual(['node:20', 'registry/tool:1']);
  expect(analyzeDockerfile(text, { target: 'unused' }).sources.map((s) => s.path)).toEqual(['go.mod']);
});

test('an unknown target and a Dockerfile without FROM are errors', () => {
  expect(() => analyzeDockerfile('FROM scratch AS a\n', { target: 'b' })).toThrow(/target stage "b"/);
  expect(() => analyzeDockerfile('RUN true\n')).toThrow(/before the first FROM|no FROM/);
});

test('ADD of a URL is noted as not hashed', () => {
  const analysis = analyzeDockerfile('FROM scratch\nADD https://example.invalid/x.tgz /x\n');
  expect(analysis.sources).toEqual([]);
  expect(analysis.notes[0]).toMatch(/not hashed/);
});

test('an unterminated quote in a COPY/ADD source is refused naming the line, as BuildKit does', () => {
  expect(() => analyzeDockerfile('FROM scratch\nADD \\conf\\\\" /.znc\n', {})).toThrow(
    /Dockerfile line 2: ADD source .* has an unterminated " quote/,
  );
});

test('a remote ADD note names the URL with its variables expanded and its credentials hidden', () => {
  const analysis = analyzeDockerfile(
    'FROM scratch\nARG VERSION=1.2.3\nARG TOKEN=s3cret\nADD https://${TOKEN}@example.com/tool-${VERSION}.tgz /tool.tgz\n',
    {},
  );
  expect(analysis.notes).toEqual([
    'line 4: ADD https://***@example.com/tool-1.2.3.tgz is fetched at build time; its content is not hashed',
  ]);
});

test('COPY --exclude is said to be not applied, and the excluded files are hashed (never a stale image)', () => {
  const analysis = analyzeDockerfile('FROM scratch\nCOPY --exclude=*.md . /app/\n', {});
  expect(analysis.notes[0]).toMatch(/line 2: COPY --exclude is not applied to the hash/);
  expect(analysis.sources.map((s) => s.path)).toEqual(['.']);
});
