// Butler side by side with `docker build` (and Turborepo's hashing), measured in the same run. Prints a Markdown table and
// writes results/latest.json. Generates its own inputs; removes every image it made and the BuildKit
// cache records made while it ran (see build-cache.mjs).
//   node run.mjs [--runs N] [--only name,name]
import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { generatePnpmProject } from '@devops-butler/test-support';
import { buildCacheIds, pruneRecordsSince } from './build-cache.mjs';
import { scenarioTeam } from './team-cache.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const butlerBin = join(root, 'packages/cli/bundle/bin.js');
const { values } = parseArgs({
  options: { runs: { type: 'string', default: '3' }, only: { type: 'string' } },
});
const RUNS = Number(values.runs);
const only = values.only ? new Set(values.only.split(',')) : undefined;
const work = mkdtempSync(join(tmpdir(), 'butler-bench-'));
const results = [];
const cacheBefore = await buildCacheIds();

function sh(command, args, options = {}) {
  const started = performance.now();
  const r = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...options });
  const ms = performance.now() - started;
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${r.stderr || r.stdout}`);
  return { ms, stdout: r.stdout };
}
const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return { min: s[0], median: s[Math.floor(s.length / 2)], max: s[s.length - 1] };
};
function record(scenario, subject, samples, unit = 'ms', baseline) {
  const entry = { scenario, subject, unit, ...stats(samples), samples };
  if (baseline) entry.ratio = baseline.median / entry.median;
  results.push(entry);
  return entry;
}

/** A tree of `files` files totalling about `megabytes` MB, in 100-file folders. */
function generateTree(dir, files, megabytes) {
  const size = Math.floor((megabytes * 1e6) / files);
  const chunk = Buffer.alloc(size);
  for (let i = 0; i < files; i++) {
    const folder = join(dir, `d${String(Math.floor(i / 100)).padStart(4, '0')}`);
    if (i % 100 === 0) mkdirSync(folder, { recursive: true });
    chunk.writeUInt32LE(i, 0); // every file differs, so nothing dedupes
    for (let j = 4; j < Math.min(size, 64); j++) chunk[j] = (i * 31 + j) & 0xff;
    writeFileSync(join(folder, `f${i}.bin`), chunk);
  }
}

// Run as the installed `butler` runs: the file itself, so its #! line (and the flags there) apply.
const butler = (args, env) => sh(butlerBin, args, { env: { ...process.env, ...env } });
const dockerBuild = (tag, dir) =>
  sh('docker', ['build', '-q', '-t', tag, dir], { env: { ...process.env, DOCKER_BUILDKIT: '0' } });
// BuildKit, the builder of every Docker since 23.0: the peer now (Debian's 20.10 CLI has it built
// in; the newer docker first on PATH would need buildx).
const BUILDKIT_DOCKER = '/usr/bin/docker';
const dockerBuildKit = (tag, dir) =>
  sh(BUILDKIT_DOCKER, ['build', '-q', '-t', tag, dir], { env: { ...process.env, DOCKER_BUILDKIT: '1' } });

/** One build to warm the stat cache (a miss or a hit), then RUNS timed builds that must all be hits. */
function warmHits(args, env) {
  butler(['build', ...args], env);
  return Array.from({ length: RUNS }, () => {
    const r = butler(['build', ...args, '--json'], env);
    if (JSON.parse(r.stdout).outcome !== 'reused') throw new Error('expected a cache hit');
    return r.ms;
  });
}

function scenarioCacheHit(name, dir, repo) {
  // docker build with a warm layer cache: one build to warm it, then the timed ones.
  const dockerTag = `butler-bench/${repo}:docker`;
  dockerBuild(dockerTag, dir);
  const docker = record(
    name,
    'docker build (warm layer cache)',
    Array.from({ length: RUNS }, () => dockerBuild(dockerTag, dir).ms),
  );
  butler(['build', dir, '--repo', repo, '--json'], { BUTLER_STATE_DIR: join(work, 'state-first') });
  const cold = Array.from({ length: RUNS }, (_, i) => {
    const r = butler(['build', dir, '--repo', repo, '--json'], {
      BUTLER_STATE_DIR: join(work, `state-cold-${name}-${i}`),
    });
    if (JSON.parse(r.stdout).outcome !== 'reused') throw new Error('expected a cache hit');
    return r.ms;
  });
  record(name, 'butler build, cache hit, cold stat cache', cold, 'ms', docker);
  const warmState = join(work, `state-warm-${name}`);
  butler(['build', dir, '--repo', repo], { BUTLER_STATE_DIR: warmState });
  const warm = Array.from(
    { length: RUNS },
    () => butler(['build', dir, '--repo', repo, '--json'], { BUTLER_STATE_DIR: warmState }).ms,
  );
  record(name, 'butler build, cache hit, warm stat cache', warm, 'ms', docker);
  // The same hit against BuildKit's warm no-op (its layer cache and file sync), in the same run.
  const buildkitTag = `butler-bench/${repo}:buildkit`;
  dockerBuildKit(buildkitTag, dir);
  const buildkit = record(
    name,
    'docker build with BuildKit (warm no-op)',
    Array.from({ length: RUNS }, () => dockerBuildKit(buildkitTag, dir).ms),
  );
  const againstBuildkit = record(name, 'butler build, cache hit, warm (vs BuildKit)', warm, 'ms', buildkit);
  againstBuildkit.throughput = `${(againstBuildkit.median / buildkit.median).toFixed(2)}× BuildKit's no-op`;
}

/**
 * Makes the tree a one-package git repository, as Turborepo needs it (its .git is in
 * .dockerignore, so neither docker nor Butler sends it).
 */
function makeGitPackage(dir) {
  writeFileSync(
    join(dir, 'package.json'),
    '{"name":"bench-large","private":true,"packageManager":"pnpm@10.34.9","scripts":{"build":"true"}}\n',
  );
  writeFileSync(join(dir, 'turbo.json'), '{"tasks":{"build":{}}}\n');
  writeFileSync(join(dir, 'pnpm-lock.yaml'), "lockfileVersion: '9.0'\n");
  const git = (...args) =>
    sh('git', ['-c', 'user.email=bench@localhost', '-c', 'user.name=bench', ...args], { cwd: dir });
  git('init', '-q');
  git('add', '-A');
  git('commit', '-qm', 'bench');
}

/**
 * Turborepo's hashing of the same tree (issue #20): `turbo run build --dry=json` computes the task
 * hash from every file of the package (git's index for tracked files, hashing the rest) and runs
 * nothing. Butler's warm hit of the same tree is measured between its runs, one of each per round.
 */
function scenarioTurbo(name, dir, butlerWarmHit) {
  const turbo = join(root, 'node_modules/.bin/turbo');
  const env = { ...process.env, TURBO_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1' };
  const dry = () => sh(turbo, ['run', 'build', '--dry=json'], { cwd: dir, env });
  dry();
  butlerWarmHit();
  // Interleaved, one of each per round: what the machine does meanwhile (an earlier run's
  // gigabytes still being written back) lands on both sides, not on whichever ran second.
  const turboMs = [];
  const butlerMs = [];
  for (let i = 0; i < RUNS; i++) {
    turboMs.push(dry().ms);
    butlerMs.push(butlerWarmHit());
  }
  const peer = record(name, 'turbo run build --dry=json (Turborepo 2.11, warm)', turboMs);
  const entry = record(name, 'butler build, cache hit, warm stat cache (same tree)', butlerMs, 'ms', peer);
  entry.throughput = entry.ratio >= 1 ? 'faster than turbo' : `turbo ${(1 / entry.ratio).toFixed(1)}× faster`;
}

/**
 * A fresh CI checkout (issue #31): the large tree copied to a new folder, its image already on the
 * engine. Butler starts with an empty state folder (no stat cache: every byte is read and hashed);
 * BuildKit has never seen the folder (its file sync sends every file) and then finds every step
 * cached. Copying is not timed.
 */
function scenarioFreshFolder(name, dir, repo) {
  const copy = (who, i) => {
    const fresh = join(work, `fresh-${who}-${i}`);
    cpSync(dir, fresh, { recursive: true });
    return fresh;
  };
  const buildkitTag = `butler-bench/${repo}:buildkit`;
  dockerBuildKit(buildkitTag, dir);
  butler(['build', dir, '--repo', repo, '--json'], { BUTLER_STATE_DIR: join(work, `state-${name}-first`) });
  const buildkit = record(
    name,
    'docker build with BuildKit of a new folder (image cached)',
    Array.from({ length: RUNS }, (_, i) => {
      const fresh = copy('buildkit', i);
      const ms = dockerBuildKit(buildkitTag, fresh).ms;
      rmSync(fresh, { recursive: true, force: true });
      return ms;
    }),
  );
  const b = record(
    name,
    'butler build of a new folder, empty state (cache hit)',
    Array.from({ length: RUNS }, (_, i) => {
      const fresh = copy('butler', i);
      const r = butler(['build', fresh, '--repo', repo, '--json'], {
        BUTLER_STATE_DIR: join(work, `state-${name}-${i}`),
      });
      if (JSON.parse(r.stdout).outcome !== 'reused') throw new Error('expected a cache hit');
      rmSync(fresh, { recursive: true, force: true });
      return r.ms;
    }),
    'ms',
    buildkit,
  );
  b.throughput = `${(b.median / buildkit.median).toFixed(2)}× BuildKit`;
}

/** The process floor: what any Node CLI pays before it does anything. */
function scenarioFloor() {
  const node = record(
    'floor',
    'node -e 0',
    Array.from({ length: RUNS * 3 }, () => sh('node', ['-e', '0']).ms),
  );
  record(
    'floor',
    'butler --help',
    Array.from({ length: RUNS * 3 }, () => butler(['--help']).ms),
    'ms',
    node,
  );
}

function scenarioMemory(dir) {
  const script = `
    import { hashContext } from '@devops-butler/core';
    await hashContext({ context: ${JSON.stringify(dir)} });
    console.log(process.resourceUsage().maxRSS);`;
  const samples = Array.from({ length: RUNS }, () => {
    const r = sh('node', ['--input-type=module', '-e', script], { cwd: here });
    return Number(r.stdout.trim()) / 1024;
  });
  record('memory-1gb', 'peak RSS hashing a 1 GB context (MB)', samples, 'MB');
}

function scenarioThroughput(name, dir, megabytes, files) {
  const script = (stateDir) => `
    import { hashContext } from '@devops-butler/core';
    const t = performance.now();
    await hashContext({ context: ${JSON.stringify(dir)}, stateDir: ${JSON.stringify(stateDir)} });
    console.log(performance.now() - t);`;
  const floor = Array.from(
    { length: RUNS },
    () => sh('bash', ['-c', `tar -cf - -C ${dir} . | sha256sum`]).ms,
  );
  const base = record(name, 'tar -c, piped to sha256sum (read-every-byte floor)', floor);
  const cold = Array.from({ length: RUNS }, (_, i) => {
    const r = sh('node', ['--input-type=module', '-e', script(join(work, `tp-cold-${i}`))], { cwd: here });
    return Number(r.stdout.trim());
  });
  const c = record(name, 'hashContext, cold stat cache', cold, 'ms', base);
  const warmState = join(work, 'tp-warm');
  sh('node', ['--input-type=module', '-e', script(warmState)], { cwd: here });
  const warm = Array.from({ length: RUNS }, () =>
    Number(sh('node', ['--input-type=module', '-e', script(warmState)], { cwd: here }).stdout.trim()),
  );
  const w = record(name, 'hashContext, warm stat cache', warm, 'ms', base);
  for (const e of [c, w])
    e.throughput = `${((megabytes * 1000) / e.median).toFixed(0)} MB/s, ${((files * 1000) / e.median).toFixed(0)} files/s`;
}

// Images the bench builds carry this label: moving a tag leaves the old image dangling, and the
// bench prunes exactly those at the end.
const BENCH_LABEL = 'devops-butler.bench-owner';

/** A copy of examples/hello-node whose layers nothing else shares (a label right after FROM). */
function appCopy(name, nonce = name) {
  const dir = join(work, name);
  cpSync(join(root, 'examples/hello-node'), dir, {
    recursive: true,
    filter: (src) => !src.includes('node_modules'),
  });
  const dockerfile = readFileSync(join(dir, 'Dockerfile'), 'utf8');
  writeFileSync(
    join(dir, 'Dockerfile'),
    dockerfile.replace(/^(FROM .*)$/m, `$1\nLABEL ${BENCH_LABEL}=${nonce}`),
  );
  return dir;
}

/**
 * A miss: each run changes one copied file, so `docker build` and `butler build` both redo every
 * step after that COPY. Butler's extra is its hash and lookup, plus one LABEL step.
 */
function scenarioMiss(name, dir, changedFile, repo) {
  const dockerTag = `butler-bench/${repo}:docker`;
  const change = (who, i) => appendFileSync(join(dir, changedFile), `\n// ${who} ${i} ${Date.now()}\n`);
  const state = join(work, `state-${name}`);
  const butlerBuild = () => {
    const r = butler(['build', dir, '--repo', repo, '--json', '--no-cleanup'], { BUTLER_STATE_DIR: state });
    if (JSON.parse(r.stdout).outcome !== 'built') throw new Error('expected a miss');
    return r.ms;
  };
  change('warm', 0);
  dockerBuild(dockerTag, dir);
  butlerBuild();
  const docker = record(
    name,
    'docker build of a changed context',
    Array.from({ length: RUNS }, (_, i) => {
      change('docker', i);
      return dockerBuild(dockerTag, dir).ms;
    }),
  );
  const b = record(
    name,
    'butler build of a changed context (miss)',
    Array.from({ length: RUNS }, (_, i) => {
      change('butler', i);
      return butlerBuild();
    }),
    'ms',
    docker,
  );
  b.throughput = `overhead ${(((b.median - docker.median) / docker.median) * 100).toFixed(0)}% (+${((b.median - docker.median) / 1000).toFixed(2)} s)`;
  // BuildKit's docker build of the same kind of change: the peer Butler (building with BuildKit
  // too) is measured against now.
  const buildkitTag = `butler-bench/${repo}:buildkit`;
  change('buildkit-warm', 0);
  dockerBuildKit(buildkitTag, dir);
  const buildkit = record(
    name,
    'docker build with BuildKit of a changed context',
    Array.from({ length: RUNS }, (_, i) => {
      change('buildkit', i);
      return dockerBuildKit(buildkitTag, dir).ms;
    }),
  );
  const vs = record(name, 'butler build of a changed context (vs BuildKit)', b.samples, 'ms', buildkit);
  vs.throughput = `${(vs.median / buildkit.median).toFixed(2)}× BuildKit (+${((vs.median - buildkit.median) / 1000).toFixed(2)} s)`;
}

/**
 * The seed's promise: build time of an unchanged app against its first build. Each run starts from
 * a fresh label, so the first build shares no layer with anything (a real first build).
 */
function scenarioFirstBuild() {
  const first = [];
  const unchanged = [];
  const dockerFirst = [];
  const dockerUnchanged = [];
  for (let i = 0; i < RUNS; i++) {
    const dir = appCopy(`first-${i}`, `first-${i}-${Date.now()}`);
    const state = join(work, `state-first-${i}`);
    const build = () =>
      butler(['build', dir, '--repo', 'butler-bench-first', '--json', '--no-cleanup'], {
        BUTLER_STATE_DIR: state,
      });
    const a = build();
    if (JSON.parse(a.stdout).outcome !== 'built') throw new Error('expected a first build');
    first.push(a.ms);
    const b = build();
    if (JSON.parse(b.stdout).outcome !== 'reused') throw new Error('expected a reuse');
    unchanged.push(b.ms);
    writeFileSync(
      join(dir, 'Dockerfile'),
      readFileSync(join(dir, 'Dockerfile'), 'utf8').replace(/=first-.*$/m, `=docker-${i}-${Date.now()}`),
    );
    dockerFirst.push(dockerBuild('butler-bench/first:docker', dir).ms);
    dockerUnchanged.push(dockerBuild('butler-bench/first:docker', dir).ms);
  }
  const f = record('first-build', 'butler build, first build of the app', first);
  const u = record('first-build', 'butler build, app unchanged', unchanged, 'ms', f);
  u.throughput = `${((1 - u.median / f.median) * 100).toFixed(0)}% less than the first build`;
  const df = record('first-build', 'docker build, first build of the app', dockerFirst);
  const du = record(
    'first-build',
    'docker build, app unchanged (warm layer cache)',
    dockerUnchanged,
    'ms',
    df,
  );
  du.throughput = `${((1 - du.median / df.median) * 100).toFixed(0)}% less than the first build`;
}

/** 500 Butler-labelled images in 50 repositories (made with `docker import`: fast, and real images). */
function scenarioGc() {
  const tar = join(work, 'tiny.tar');
  sh('bash', ['-c', `mkdir -p ${work}/tiny && echo x > ${work}/tiny/x && tar -cf ${tar} -C ${work}/tiny .`]);
  for (let r = 0; r < 50; r++) {
    for (let i = 0; i < 10; i++) {
      const hash = (r * 100 + i).toString(16).padStart(12, '0');
      const created = new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString();
      const changes = [
        `LABEL devops-butler.managed=true`,
        `LABEL devops-butler.repo=butler-bench-gc-${r}`,
        `LABEL org.opencontainers.image.created=${created}`,
        `LABEL devops-butler.content-hash=sha256:${hash}${r}-${i}`,
      ].flatMap((c) => ['-c', c]);
      sh('docker', ['import', ...changes, tar, `local-registry/butler-bench-gc-${r}:${hash}`]);
    }
  }
  const r = butler(['gc', '--repo', 'butler-bench-gc-*', '--keep', '3', '--json'], {});
  const report = JSON.parse(r.stdout);
  const entry = record(
    'gc-500',
    `butler gc --keep 3 over 500 images / 50 repos (removed ${report.removed.length})`,
    [r.ms],
  );
  entry.throughput = `${((report.removed.length * 1000) / r.ms).toFixed(0)} removals/s`;
}

/**
 * The shared cache: machine A built and pushed; machine B (a second engine, no layers of the app)
 * either builds the same context itself or lets Butler pull it from the registry. Needs root (the
 * second engine); the lab is stopped and removed afterwards.
 */
function scenarioRemoteHit(name, dir, repo) {
  const port = 20000 + Math.floor(Math.random() * 20000);
  const registryDir = mkdtempSync('/tmp/butler-bench-registry-');
  const engineDir = mkdtempSync('/tmp/butler-bench-b-');
  const bridge = 'br-butlerbench';
  try {
    sh('bash', [join(root, 'scripts/registry.sh'), 'start', registryDir, String(port)]);
    const engineB = sh('bash', [
      join(root, 'scripts/second-engine.sh'),
      'start',
      engineDir,
      bridge,
    ]).stdout.trim();
    sh('bash', ['-c', `docker save butler-test/busybox:latest | docker -H ${engineB} load -q`]);
    const registry = `127.0.0.1:${port}/bench`;
    const onB = { DOCKER_HOST: engineB };
    const build = (env, state) =>
      butler(['build', dir, '--repo', repo, '--registry', registry, '--json', '--no-cleanup'], {
        ...env,
        BUTLER_STATE_DIR: join(work, state),
      });
    if (JSON.parse(build({}, 'state-remote-a').stdout).outcome !== 'built')
      throw new Error('expected A to build');
    const reference = JSON.parse(build({}, 'state-remote-a').stdout).target.reference;
    const forget = () =>
      spawnSync('docker', ['-H', engineB, 'image', 'rm', '-f', reference, `${registry}/${repo}:latest`]);
    const docker = record(
      name,
      'docker build on machine B (no layer cache)',
      Array.from({ length: RUNS }, (_, i) => {
        const ms = sh(
          'docker',
          ['-H', engineB, 'build', '-q', '--no-cache', '-t', `butler-bench/remote:${i}`, dir],
          {
            env: { ...process.env, DOCKER_BUILDKIT: '0' },
          },
        ).ms;
        spawnSync('docker', ['-H', engineB, 'image', 'rm', '-f', `butler-bench/remote:${i}`]);
        return ms;
      }),
    );
    record(
      name,
      'butler build on machine B: remote hit (hash, pull)',
      Array.from({ length: RUNS }, (_, i) => {
        forget();
        const r = build(onB, `state-remote-b-${i}`);
        if (JSON.parse(r.stdout).outcome !== 'reused') throw new Error('expected a remote hit on B');
        return r.ms;
      }),
      'ms',
      docker,
    );
  } finally {
    spawnSync('bash', [join(root, 'scripts/second-engine.sh'), 'stop', engineDir, bridge]);
    spawnSync('bash', [join(root, 'scripts/registry.sh'), 'stop', registryDir]);
    rmSync(registryDir, { recursive: true, force: true });
  }
}

/**
 * A cache hit with the same config written as butler.config.mjs and as butler.config.ts (types
 * stripped, the result remembered in the state folder): what a TypeScript config costs per command.
 */
function scenarioConfigTs() {
  const dir = appCopy('config-ts');
  const repo = 'butler-bench-config-ts';
  const state = join(work, 'state-config-ts');
  const hits = (file, text) => {
    writeFileSync(join(dir, file), text);
    const samples = warmHits([dir], { BUTLER_STATE_DIR: state });
    rmSync(join(dir, file));
    return samples;
  };
  const mjs = record(
    'config-ts',
    'butler build, cache hit, butler.config.mjs',
    hits('butler.config.mjs', `const repo = '${repo}';\nexport default { repo, retention: { keep: 2 } };\n`),
  );
  const ts = record(
    'config-ts',
    'butler build, cache hit, butler.config.ts',
    hits(
      'butler.config.ts',
      `interface Settings { repo: string }\nconst settings: Settings = { repo: '${repo}' };\nexport default { ...settings, retention: { keep: 2 } };\n`,
    ),
    'ms',
    mjs,
  );
  ts.throughput = `+${((ts.median - mjs.median) / 1000).toFixed(3)} s over .mjs (goal ≤ +0.050 s)`;
}

/**
 * A hit on a folder whose Dockerfile copies a large pnpm lockfile (1,400 packages, 1.3 MB, like
 * vite's), beside the same hit copying one small file: what the lockfile costs a hit (issue #32).
 */
function scenarioLockfileHit() {
  const dir = join(work, 'lockfile');
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(generatePnpmProject(1400))) writeFileSync(join(dir, name), text);
  writeFileSync(join(dir, 'a'), 'a\n');
  const state = join(work, 'state-lockfile');
  const hits = (dockerfile, repo) => {
    writeFileSync(
      join(dir, 'Dockerfile'),
      `FROM butler-test/busybox:latest\nLABEL ${BENCH_LABEL}=${repo}\n${dockerfile}\n`,
    );
    return warmHits([dir, '--repo', repo], { BUTLER_STATE_DIR: state });
  };
  const small = record(
    'hit-lockfile',
    'butler build, cache hit, COPY a /a',
    hits('COPY a /a', 'butler-bench-lock-small'),
  );
  const large = record(
    'hit-lockfile',
    'butler build, cache hit, COPY package.json pnpm-lock.yaml (1,400 packages)',
    hits('COPY package.json pnpm-lock.yaml /app/', 'butler-bench-lock-large'),
    'ms',
    small,
  );
  large.throughput = `+${((large.median - small.median) / 1000).toFixed(3)} s over the small hit (goal ≤ +0.050 s)`;
}

/**
 * The same small-app hit with the engine reached over ssh (an sshd of the bench's own on 127.0.0.1,
 * `docker system dial-stdio` on the far side) and over the local socket: what ssh costs a hit. The
 * engine client keeps one ssh connection for the whole command.
 */
function scenarioSshHit() {
  const dir = appCopy('ssh-hit');
  const sshd = join('/tmp', `butler-bench-sshd-${process.pid}`);
  const config = sh('bash', [join(root, 'scripts/sshd-service.sh'), 'start', sshd]).stdout.trim();
  try {
    const state = join(work, 'state-ssh-hit');
    const hits = (env) => warmHits([dir, '--repo', 'butler-bench-ssh'], { BUTLER_STATE_DIR: state, ...env });
    const local = record('hit-ssh', 'butler build, cache hit, local socket', hits({}));
    const overSsh = record(
      'hit-ssh',
      'butler build, cache hit, DOCKER_HOST=ssh:// (sshd on 127.0.0.1)',
      hits({ DOCKER_HOST: 'ssh://butler-test-engine', BUTLER_SSH_CONFIG: config }),
      'ms',
      local,
    );
    overSsh.throughput = `+${((overSsh.median - local.median) / 1000).toFixed(3)} s for ssh`;
  } finally {
    sh('bash', [join(root, 'scripts/sshd-service.sh'), 'stop', sshd]);
  }
}

const want = (name) => !only || only.has(name);
try {
  if (want('miss-small'))
    scenarioMiss('miss-small', appCopy('miss-small'), 'server.js', 'butler-bench-miss-small');
  if (want('first-build')) scenarioFirstBuild();
  if (['hit-large', 'fresh-large', 'throughput', 'miss-large', 'remote-hit-large'].some(want)) {
    const large = join(work, 'large');
    generateTree(large, 20_000, 230);
    writeFileSync(join(large, 'Dockerfile'), 'FROM butler-test/busybox:latest\nCOPY . /ctx/\n');
    writeFileSync(join(large, '.dockerignore'), '.git\n');
    makeGitPackage(large);
    if (want('hit-large')) {
      scenarioCacheHit('hit-large', large, 'butler-bench-large');
      const warmState = join(work, 'state-warm-turbo');
      const warmHit = () =>
        butler(['build', large, '--repo', 'butler-bench-large', '--json'], { BUTLER_STATE_DIR: warmState })
          .ms;
      scenarioTurbo('hit-large', large, warmHit);
    }
    if (want('fresh-large')) scenarioFreshFolder('fresh-large', large, 'butler-bench-large');
    if (want('throughput')) scenarioThroughput('throughput', large, 230, 20_000);
    if (want('miss-large')) {
      writeFileSync(
        join(large, 'Dockerfile'),
        `FROM butler-test/busybox:latest\nLABEL ${BENCH_LABEL}=miss-large\nCOPY . /ctx/\n`,
      );
      scenarioMiss('miss-large', large, 'd0000/f0.bin', 'butler-bench-miss-large');
    }
    if (want('remote-hit-large')) {
      writeFileSync(join(large, 'Dockerfile'), 'FROM butler-test/busybox:latest\nCOPY . /ctx/\n');
      scenarioRemoteHit('remote-hit-large', large, 'butler-bench-remote');
    }
    rmSync(large, { recursive: true, force: true });
  }
  if (want('config-ts')) scenarioConfigTs();
  if (want('hit-lockfile')) scenarioLockfileHit();
  if (want('hit-ssh')) scenarioSshHit();
  if (want('hit-small'))
    scenarioCacheHit('hit-small', join(root, 'examples/hello-node'), 'butler-bench-small');
  if (want('gc-500')) scenarioGc();
  if (want('floor')) scenarioFloor();
  if (want('team-20')) await scenarioTeam({ root, work, butlerBin, record });
  if (want('memory-1gb')) {
    const big = join(work, 'big');
    generateTree(big, 100, 1000);
    writeFileSync(join(big, 'Dockerfile'), 'FROM scratch\nCOPY . /ctx/\n');
    scenarioMemory(big);
  }
} finally {
  const images = spawnSync('docker', ['image', 'ls', '--format', '{{.Repository}}:{{.Tag}}'], {
    encoding: 'utf8',
  })
    .stdout.split('\n')
    .filter(
      (ref) =>
        ref.startsWith('butler-bench/') ||
        ref.startsWith('local-registry/butler-bench-') ||
        /^127\.0\.0\.1:\d+\/bench\/butler-bench-/.test(ref),
    );
  // Imported images share no layers; remove in chunks to keep the command line short.
  for (let i = 0; i < images.length; i += 100)
    spawnSync('docker', ['image', 'rm', ...images.slice(i, i + 100)]);
  spawnSync('docker', ['image', 'prune', '-f', '--filter', `label=${BENCH_LABEL}`]);
  rmSync(work, { recursive: true, force: true });
  const pruned = await pruneRecordsSince(cacheBefore);
  console.error(
    `build cache: pruned the ${pruned.records} records made during the run (${(pruned.bytes / 1e6).toFixed(0)} MB)`,
  );
}

const fmt = (n, unit) => (unit === 'ms' ? `${(n / 1000).toFixed(3)} s` : `${n.toFixed(0)} ${unit}`);
console.log('| scenario | subject | min | median | max | ratio vs baseline | notes |');
console.log('| --- | --- | --- | --- | --- | --- | --- |');
for (const r of results) {
  console.log(
    `| ${r.scenario} | ${r.subject} | ${fmt(r.min, r.unit)} | ${fmt(r.median, r.unit)} | ${fmt(r.max, r.unit)} | ${r.ratio ? `${r.ratio.toFixed(1)}×` : '—'} | ${r.throughput ?? ''} |`,
  );
}

// Issue #31's goals, each against its peer measured in this run.
const find = (scenario, subject) => results.find((r) => r.scenario === scenario && r.subject === subject);
const ratioOf = (scenario, subject, peer) => {
  const a = find(scenario, subject);
  const b = find(scenario, peer);
  return a && b ? a.median / b.median : undefined;
};
const overOf = (scenario, subject, peer) => {
  const a = find(scenario, subject);
  const b = find(scenario, peer);
  return a && b ? (a.median - b.median) / 1000 : undefined;
};
const goals = [
  [
    'large warm hit ≤ 0.5× BuildKit no-op',
    ratioOf(
      'hit-large',
      'butler build, cache hit, warm stat cache',
      'docker build with BuildKit (warm no-op)',
    ),
    0.5,
    '×',
  ],
  [
    'large warm hit < Turborepo dry run',
    ratioOf(
      'hit-large',
      'butler build, cache hit, warm stat cache (same tree)',
      'turbo run build --dry=json (Turborepo 2.11, warm)',
    ),
    1,
    '×',
  ],
  [
    'small warm hit ≤ 1.0× BuildKit no-op',
    ratioOf(
      'hit-small',
      'butler build, cache hit, warm stat cache',
      'docker build with BuildKit (warm no-op)',
    ),
    1,
    '×',
  ],
  [
    'fresh-folder hit ≤ 0.15× BuildKit',
    ratioOf(
      'fresh-large',
      'butler build of a new folder, empty state (cache hit)',
      'docker build with BuildKit of a new folder (image cached)',
    ),
    0.15,
    '×',
  ],
  [
    'small miss ≤ +0.15 s over BuildKit',
    overOf(
      'miss-small',
      'butler build of a changed context (miss)',
      'docker build with BuildKit of a changed context',
    ),
    0.15,
    ' s',
  ],
  [
    'large miss ≤ 1.2× BuildKit',
    ratioOf(
      'miss-large',
      'butler build of a changed context (miss)',
      'docker build with BuildKit of a changed context',
    ),
    1.2,
    '×',
  ],
].filter(([, value]) => value !== undefined);
if (goals.length > 0) {
  console.log('\n| goal (issue #31) | measured | met |\n| --- | --- | --- |');
  for (const [goal, value, limit, unit] of goals)
    console.log(`| ${goal} | ${value.toFixed(2)}${unit} | ${value <= limit ? 'yes' : 'no'} |`);
}
mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(
  join(here, 'results/latest.json'),
  `${JSON.stringify({ when: new Date().toISOString(), runs: RUNS, results, goals }, null, 2)}\n`,
);
