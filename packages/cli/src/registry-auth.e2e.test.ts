import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseRegistry, RegistryClient } from '@devops-butler/registry-cache';
import {
  freePort,
  OWNER_LABEL,
  removeRepoImages,
  repoRoot,
  useEngineFixture,
} from '@devops-butler/test-support';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { runButler } from './cli-runner.fixture.js';

const run = promisify(execFile);
const scripts = join(repoRoot(), 'scripts');

// A registry that wants a user and password (Distribution's htpasswd auth). The hash is bcrypt of
// PASSWORD, made once for this test; the password is test data, not a secret.
const USER = 'butler';
const PASSWORD = 's3cret';
const HTPASSWD = `${USER}:$2b$12$HKu3TZR5uRItBTmhCijQfuRKBu0njuIeWborArTOHJvhj1x/3A.G2\n`;

let registryDir: string;
let host: string;
beforeAll(async () => {
  registryDir = await mkdtemp('/tmp/butler-registry-auth-');
  await writeFile(join(registryDir, 'htpasswd'), HTPASSWD);
  const port = await freePort();
  host = `127.0.0.1:${port}`;
  await run('bash', [join(scripts, 'registry.sh'), 'start', registryDir, String(port)], {
    env: {
      ...process.env,
      REGISTRY_AUTH: 'htpasswd',
      REGISTRY_AUTH_HTPASSWD_REALM: 'butler-test',
      REGISTRY_AUTH_HTPASSWD_PATH: join(registryDir, 'htpasswd'),
    },
  });
}, 60_000);
afterAll(async () => {
  await run('bash', [join(scripts, 'registry.sh'), 'stop', registryDir]);
  await rm(registryDir, { recursive: true, force: true });
});

const fx = useEngineFixture('registry-auth', ({ repo }) => ({
  Dockerfile: `FROM scratch\nLABEL ${OWNER_LABEL}=${repo}\nCOPY app.txt /app.txt\n`,
  'app.txt': 'v1\n',
}));

/** A DOCKER_CONFIG folder as `docker login` would leave it (or an empty one). */
async function dockerConfig(withLogin: boolean): Promise<string> {
  const dir = join(fx.stateDir, withLogin ? 'docker-logged-in' : 'docker-anonymous');
  await run('mkdir', ['-p', dir]);
  const auths = withLogin ? { [host]: { auth: Buffer.from(`${USER}:${PASSWORD}`).toString('base64') } } : {};
  await writeFile(join(dir, 'config.json'), JSON.stringify({ auths }));
  return dir;
}

function butler(config: string, ...args: string[]) {
  return runButler(args, {
    env: {
      ...process.env,
      BUTLER_STATE_DIR: fx.stateDir,
      BUTLER_REGISTRY: `${host}/team`,
      DOCKER_CONFIG: config,
    },
    cwd: fx.tree.dir,
    reject: true,
  });
}

test("the user's docker login lets builds push and gc --remote delete; without it, one warning naming docker login; the password is never shown", async () => {
  const image = `${host}/team/${fx.repo}`;
  try {
    // Not logged in: refused, said once, built locally.
    const anonymous = await butler(
      await dockerConfig(false),
      'build',
      '.',
      '--repo',
      fx.repo,
      '--no-cleanup',
    );
    const warnings = anonymous.stderr.split('\n').filter((line) => line.startsWith('⚠️'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`⚠️ the registry ${host} refused access (`);
    expect(warnings[0]).toContain(`— log in with docker login ${host}; building locally, not pushing`);

    // Logged in: pushed; the registry has the tags (read with the same credentials).
    const loggedIn = await dockerConfig(true);
    const outputs: string[] = [];
    for (const content of ['v2\n', 'v3\n']) {
      await fx.tree.write({ 'app.txt': content });
      const built = await butler(loggedIn, 'build', '.', '--repo', fx.repo, '--no-cleanup', '--require-push');
      expect(built.stdout).toContain(`⬆️ Pushed ${image}:`);
      outputs.push(built.stdout, built.stderr);
    }
    const client = new RegistryClient(parseRegistry(`${host}/team`), { username: USER, password: PASSWORD });
    expect(await client.tags(`team/${fx.repo}`)).toHaveLength(3); // two hashes and latest
    await expect(
      new RegistryClient(parseRegistry(`${host}/team`), undefined).tags(`team/${fx.repo}`),
    ).rejects.toThrow(`listing the tags of team/${fx.repo}: ${host} refused access (HTTP 401)`);

    const gc = await butler(loggedIn, 'gc', '--remote', '--repo', fx.repo, '--keep', '0', '--min-age', '0s');
    outputs.push(gc.stdout, gc.stderr);
    expect(gc.stdout).toContain(`Deleted 1 image(s) from ${host}/team, kept 1`);
    expect(await client.tags(`team/${fx.repo}`)).toHaveLength(2);

    // Nowhere: not in output, not in the state store, not on the image's labels.
    for (const text of outputs) expect(text).not.toContain(PASSWORD);
    for (const file of await readdir(fx.stateDir)) {
      if (file.startsWith('butler.db'))
        expect((await readFile(join(fx.stateDir, file))).includes(PASSWORD)).toBe(false);
    }
    const { stdout: labels } = await run('docker', [
      'image',
      'inspect',
      '--format',
      '{{json .Config.Labels}}',
      `${image}:latest`,
    ]);
    expect(labels).not.toContain(PASSWORD);
  } finally {
    await removeRepoImages(image);
  }
});
