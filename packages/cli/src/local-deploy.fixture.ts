import { execFile, spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { promisify } from 'node:util';
import {
  type EngineFixture,
  freePort,
  httpGet,
  OWNER_LABEL,
  useEngineFixture,
} from '@devops-butler/test-support';
import { afterEach, beforeEach } from 'vitest';
import { butlerBin } from './cli-runner.fixture.js';

const run = promisify(execFile);
/** The built CLI, for the deploy tests that import it from here. */
export const bin = butlerBin;

export interface LocalDeploy {
  fx: EngineFixture;
  /** The free 127.0.0.1 port this test's deployment publishes. */
  port: () => number;
  env: () => NodeJS.ProcessEnv;
  /** The CLI with this test's state folder. */
  butler: (...args: string[]) => Promise<{ stdout: string; stderr: string }>;
  /** `butler deploy` of the test's folder, named after its repository, on a network of its own. */
  deployArgs: (...extra: string[]) => string[];
  /**
   * A client asking on a fresh connection every `everyMs` until stopped (at most 3 minutes), each
   * request given up after `timeoutMs` (default 5 s).
   */
  traffic: (everyMs: number, timeoutMs?: number) => { stop: () => Promise<TrafficCounts> };
  /** Runs `butler deploy` (with `extra` flags) under a failpoint, and kills it -9 once it stops there. */
  deployKilledAt: (point: string, ...extra: string[]) => Promise<void>;
}

export interface TrafficCounts {
  answered: number;
  /** What each failed request said. */
  failed: string[];
  /** The distinct answers, in the order they first came. */
  answers: string[];
  /** The longest a request took, answered or not (ms). */
  slowestMs: number;
}

/**
 * A Node app (`server.js`, listening on 3000) deployed by the CLI from the test's own folder; after
 * each test its deployment (volumes too) and network are removed. Test-only (not in the build).
 */
export function useLocalDeploy(label: string, server: string): LocalDeploy {
  const fx = useEngineFixture(label, ({ repo }) => ({
    Dockerfile: `FROM butler-test/node:latest\nLABEL ${OWNER_LABEL}=${repo}\nCOPY server.js /server.js\nCMD ["node", "/server.js"]\n`,
    'server.js': server,
  }));
  let port = 0;
  const env = () => ({ ...process.env, BUTLER_STATE_DIR: fx.stateDir });
  // "--" as the bin's #! line has it: Node leaves a --env-file after it to butler.
  const butler = (...args: string[]) => run('node', ['--', bin, ...args], { env: env(), cwd: tmpdir() });
  beforeEach(async () => {
    port = await freePort();
  });
  afterEach(async () => {
    await butler('undeploy', fx.repo, '--timeout', '0', '--volumes').catch(() => undefined);
    await run('docker', ['network', 'rm', `${fx.repo}-net`]).catch(() => undefined);
  });
  const deployArgs = (...extra: string[]) => [
    'deploy',
    fx.tree.dir,
    '--name',
    fx.repo,
    '--repo',
    fx.repo,
    '--port',
    `${port}:3000`,
    '--network',
    `${fx.repo}-net`,
    ...extra,
  ];
  const traffic = (everyMs: number, timeoutMs = 5000) => {
    let running = true;
    const counts: TrafficCounts = { answered: 0, failed: [], answers: [], slowestMs: 0 };
    const loop = (async () => {
      const until = Date.now() + 180_000;
      while (running && Date.now() < until) {
        const started = Date.now();
        await httpGet(port, timeoutMs).then(
          (body) => {
            counts.answered++;
            if (!counts.answers.includes(body)) counts.answers.push(body);
          },
          (error: Error) => counts.failed.push(error.message),
        );
        counts.slowestMs = Math.max(counts.slowestMs, Date.now() - started);
        await new Promise((r) => setTimeout(r, everyMs));
      }
    })();
    return {
      stop: async () => {
        running = false;
        await loop;
        return counts;
      },
    };
  };
  const deployKilledAt = async (point: string, ...extra: string[]) => {
    const victim = spawn('node', [bin, ...deployArgs(...extra)], {
      env: { ...env(), BUTLER_FAILPOINT: point },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const exited = new Promise((r) => victim.once('exit', r));
    let stderr = '';
    await new Promise<void>((reached, failed) => {
      const timer = setTimeout(() => failed(new Error(`never reached ${point}: ${stderr}`)), 90_000);
      victim.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (stderr.includes(`failpoint ${point}`)) {
          clearTimeout(timer);
          reached();
        }
      });
      victim.once('exit', () => failed(new Error(`deploy ended before ${point}: ${stderr}`)));
    });
    victim.kill('SIGKILL');
    await exited;
  };
  return { fx, port: () => port, env, butler, deployArgs, traffic, deployKilledAt };
}
