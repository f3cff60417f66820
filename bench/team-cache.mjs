// The shared cache at team scale (issue #22): 20 butler processes, each with its own state folder
// (a machine of its own), over two engines and one registry, all started within a second. Half
// build one hash, half a hash each. A counting proxy in front of the registry sees every request.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest } from 'node:http';
import { join } from 'node:path';

const PROCESSES = 20;
const LABEL = 'devops-butler.bench-owner=team';

/** Forwards every request to the registry and counts them by kind; `PUT manifest` per tag too. */
function countingProxy(registryPort) {
  const counts = { total: 0, kinds: {}, manifestPuts: {} };
  const server = createServer((req, res) => {
    counts.total++;
    const path = req.url ?? '';
    const manifest = /\/manifests\/([^/?]+)/.exec(path);
    const kind = `${req.method} ${manifest ? 'manifest' : /\/blobs\/uploads/.test(path) ? 'upload' : /\/blobs\//.test(path) ? 'blob' : 'other'}`;
    counts.kinds[kind] = (counts.kinds[kind] ?? 0) + 1;
    if (req.method === 'PUT' && manifest) {
      const tag = manifest[1];
      counts.manifestPuts[tag] = (counts.manifestPuts[tag] ?? 0) + 1;
    }
    const upstream = httpRequest(
      { host: '127.0.0.1', port: registryPort, method: req.method, path, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  return { server, counts };
}

const runButler = (butlerBin, args, env) =>
  new Promise((resolve) => {
    const child = spawn(butlerBin, args, { env: { ...process.env, ...env } }); // its #! line applies
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    // Bounded: a process that hangs is killed and counted as failed.
    const timer = setTimeout(() => child.kill('SIGKILL'), 180_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });

export async function scenarioTeam({ root, work, butlerBin, record }) {
  const registryPort = 20000 + Math.floor(Math.random() * 10000);
  const proxyPort = registryPort + 10000;
  const registryDir = mkdtempSync('/tmp/butler-bench-registry-');
  const engineDir = mkdtempSync('/tmp/butler-bench-b-');
  const bridge = 'br-butlerteam';
  const { server, counts } = countingProxy(registryPort);
  const registry = `127.0.0.1:${proxyPort}/bench`;
  const repo = 'butler-bench-team';
  try {
    spawnSync('bash', [join(root, 'scripts/registry.sh'), 'start', registryDir, String(registryPort)]);
    const engineB = spawnSync('bash', [join(root, 'scripts/second-engine.sh'), 'start', engineDir, bridge], {
      encoding: 'utf8',
    }).stdout.trim();
    await new Promise((resolve) => server.listen(proxyPort, '127.0.0.1', resolve));
    const context = (name, content) => {
      const dir = join(work, 'team', name);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'Dockerfile'), `FROM scratch\nLABEL ${LABEL}\nCOPY . /app/\n`);
      writeFileSync(join(dir, 'app.txt'), content);
      return dir;
    };
    const same = context('same', 'one hash for half of them\n');
    const jobs = Array.from({ length: PROCESSES }, (_, i) => ({
      engine: i % 2 === 0 ? 'A' : 'B',
      dir: i < PROCESSES / 2 ? same : context(`distinct-${i}`, `a hash of its own: ${i}\n`),
    }));
    const started = performance.now();
    const results = await Promise.all(
      jobs.map((job, i) =>
        runButler(
          butlerBin,
          ['build', job.dir, '--repo', repo, '--registry', registry, '--json', '--no-cleanup'],
          {
            BUTLER_STATE_DIR: join(work, `team-state-${i}`),
            ...(job.engine === 'B' ? { DOCKER_HOST: engineB } : {}),
          },
        ),
      ),
    );
    const wallMs = performance.now() - started;

    // Every process ends with a correct image: its hash tag names an image whose content hash is
    // the target's, and (the registry holding one image per hash) the registry's image.
    let correct = 0;
    let sameInstant = 0;
    const windows = [];
    const outcomes = {};
    for (const [i, r] of results.entries()) {
      if (r.code !== 0) continue;
      const result = JSON.parse(r.stdout);
      const adopted = result.image.origin === 'registry' && result.outcome === 'built';
      const key = adopted ? "built, then used the first writer's" : result.outcome;
      outcomes[key] = (outcomes[key] ?? 0) + 1;
      for (const message of result.remoteCache?.messages ?? []) {
        if (typeof message.data?.windowMs === 'number') windows.push(message.data.windowMs);
        if (message.text.includes('in the same instant')) sameInstant++;
      }
      const host = jobs[i].engine === 'B' ? ['-H', engineB] : [];
      const inspect = spawnSync(
        'docker',
        [
          ...host,
          'image',
          'inspect',
          '-f',
          '{{.Id}} {{index .Config.Labels "devops-butler.content-hash"}}',
          result.target.reference,
        ],
        { encoding: 'utf8' },
      ).stdout.trim();
      const [id, hash] = inspect.split(' ');
      const manifest = await fetch(
        `http://127.0.0.1:${registryPort}/v2/bench/${repo}/manifests/${result.target.tag}`,
        {
          headers: { accept: 'application/vnd.docker.distribution.manifest.v2+json' },
        },
      ).then((answer) => answer.json());
      if (hash === `sha256:${result.target.digest}` && manifest.config?.digest === id) correct++;
    }
    const hashPuts = Object.entries(counts.manifestPuts).filter(([tag]) => tag !== 'latest');
    const overwritten = hashPuts.filter(([, n]) => n > 1).length;
    const entry = record('team-20', `${PROCESSES} butler builds at once, 2 engines, 1 registry (wall)`, [
      wallMs,
    ]);
    windows.sort((a, b) => a - b);
    entry.throughput =
      `${correct}/${PROCESSES} end with the image the registry names; ${JSON.stringify(outcomes)}; ` +
      `${hashPuts.length} hashes pushed, ${overwritten} of them more than once (${sameInstant} same-instant warnings); ` +
      `push window (registry checked → manifest up) median ${windows[Math.floor(windows.length / 2)] ?? '-'} ms, ` +
      `max ${windows.at(-1) ?? '-'} ms; ${(counts.total / PROCESSES).toFixed(1)} registry requests per build ` +
      `(${Object.entries(counts.kinds)
        .map(([k, n]) => `${k} ${n}`)
        .join(', ')})`;
  } finally {
    server.close();
    spawnSync('bash', [join(root, 'scripts/second-engine.sh'), 'stop', engineDir, bridge]);
    spawnSync('bash', [join(root, 'scripts/registry.sh'), 'stop', registryDir]);
    rmSync(registryDir, { recursive: true, force: true });
    const mine = spawnSync('docker', ['image', 'ls', '-q', '--filter', `label=${LABEL}`], {
      encoding: 'utf8',
    });
    const ids = [...new Set(mine.stdout.split('\n').filter(Boolean))];
    if (ids.length > 0) spawnSync('docker', ['image', 'rm', '-f', ...ids]);
  }
}
