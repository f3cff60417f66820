import { ButlerError, DEFAULT_REGISTRY, type Logger } from '@devops-butler/core';
import { type EngineEndpoint, endpointAddress, engineEndpoint } from '@devops-butler/engine-client';
import type { RetentionReport } from '@devops-butler/plugin-retention';
import { goLive } from './go-live.js';
import { hostTarget } from './host/host-target.js';
import { ensurePulled, registryAuthFor } from './shared/publish.js';
import type { DeployHost } from './shared/settings.js';
import type { DeployTarget, GoLiveOutcome, GoLiveRun, Placement, Release } from './target.js';

/** What one host of a rollout ended with. */
export interface HostOutcome {
  /** As given (`ssh://deploy@app1`). */
  host: string;
  /** `not reached`: the rollout stopped before this host; it keeps what it ran. */
  outcome: 'deployed' | 'unchanged' | 'failed' | 'not reached';
  placed?: Placement | undefined;
  /** Why it failed (the host keeps its previous version). */
  error?: string | undefined;
  cleanup?: RetentionReport | undefined;
}

/** One host of a rollout: its engine and its target there. */
export interface RolloutHost {
  host: DeployHost;
  endpoint: EngineEndpoint;
  target: DeployTarget;
}

/** The engines of the hosts, as DOCKER_HOST would name each (a context in the environment is not applied). */
export function rolloutHosts(
  hosts: readonly DeployHost[],
  env: NodeJS.ProcessEnv,
  stateDir: string,
): RolloutHost[] {
  const seen = new Set<string>();
  return hosts.map((host) => {
    const endpoint = engineEndpoint({ ...env, DOCKER_HOST: host.host, DOCKER_CONTEXT: '' });
    const address = endpointAddress(endpoint);
    if (seen.has(address)) {
      throw new ButlerError('CONFIG_INVALID', `--host ${host.host} is given twice`, {
        hint: 'name each host once',
      });
    }
    seen.add(address);
    return { host, endpoint, target: hostTarget(endpoint, stateDir, { address: host.address }) };
  });
}

/**
 * A rollout to several hosts (or to one that is not the engine that builds) needs the image in a
 * registry: each host pulls it from there.
 */
export function assertRolloutRegistry(
  hosts: readonly RolloutHost[],
  registry: string,
  builder: EngineEndpoint,
): void {
  const elsewhere =
    hosts.length > 1 || hosts.some((h) => endpointAddress(h.endpoint) !== endpointAddress(builder));
  if (elsewhere && registry === DEFAULT_REGISTRY) {
    throw new ButlerError(
      'CONFIG_INVALID',
      `a deploy to ${hosts.length} hosts needs a registry: each host pulls the image, and "${DEFAULT_REGISTRY}" is one engine's local name`,
      {
        hint: 'set --registry HOST[:PORT]/NAMESPACE (or BUTLER_REGISTRY) to a registry every host can reach',
      },
    );
  }
}

/** Thrown when a host of the rollout failed: says which host runs what. */
export class RolloutError extends ButlerError {
  constructor(
    message: string,
    readonly hosts: HostOutcome[],
    /** The failing container's last lines, when its health check failed. */
    readonly logs: string[],
  ) {
    super('DEPLOY_FAILED', message, {
      hint: 'fix the app and deploy again (the hosts done run the new version; butler rollback puts the old one back on all)',
    });
  }
}

/**
 * Kamal's model: the same health-checked swap on each host, `parallel` at a time (default 1), each
 * host pulling the release's image from the registry when it lacks it, retention on each after its
 * swap. The first host that fails stops the rollout: it keeps its old container (the swap's own
 * guarantee), hosts not reached keep theirs, the ones done stay on the new version — and the error
 * says exactly that.
 */
export async function rollOut(
  hosts: readonly RolloutHost[],
  release: Release,
  run: GoLiveRun & {
    stateDir: string;
    env: NodeJS.ProcessEnv;
    parallel?: number | undefined;
    cleanup?: ((host: RolloutHost, live: GoLiveOutcome) => Promise<RetentionReport | undefined>) | undefined;
  },
): Promise<HostOutcome[]> {
  const outcomes: HostOutcome[] = hosts.map(({ host }) => ({ host: host.host, outcome: 'not reached' }));
  const registryAuth = await registryAuthFor(release.reference, run.env);
  let next = 0;
  let failure: { index: number; error: unknown } | undefined;
  const worker = async () => {
    while (failure === undefined && next < hosts.length) {
      const index = next++;
      const one = hosts[index] as RolloutHost;
      const log = prefixed(run.log, one.host.host);
      try {
        log.info(`🖥️ ${release.action === 'rollback' ? 'Rolling back' : 'Deploying'} on ${one.host.host}`);
        await ensurePulled(
          one.endpoint,
          { id: release.imageId, reference: release.reference },
          registryAuth,
          log.info,
        );
        const live = await goLive(one.target, run.stateDir, release, { ...run, log });
        outcomes[index] = {
          host: one.host.host,
          outcome: live.outcome,
          placed: live.placed,
          cleanup: await run.cleanup?.(one, live),
        };
      } catch (error) {
        outcomes[index] = { host: one.host.host, outcome: 'failed', error: (error as Error).message };
        failure ??= { index, error };
      }
    }
  };
  const parallel = Math.max(1, Math.min(run.parallel ?? 1, hosts.length));
  await Promise.all(Array.from({ length: parallel }, worker));
  if (failure) {
    const failed = outcomes[failure.index] as HostOutcome;
    const said = outcomes.map((o) => `${o.host} ${describe(o)}`).join('; ');
    throw new RolloutError(
      `the rollout stopped at ${failed.host}: ${failed.error} — ${said}`,
      outcomes,
      (failure.error as { logs?: string[] }).logs ?? [],
    );
  }
  return outcomes;
}

function describe(outcome: HostOutcome): string {
  switch (outcome.outcome) {
    case 'deployed':
    case 'unchanged':
      return 'runs the new version';
    case 'failed':
      return 'keeps the previous version';
    default:
      return 'was not reached (keeps its version)';
  }
}

/** The host's name before each line, so interleaved hosts (--parallel) stay readable. */
function prefixed(log: Logger, host: string): Logger {
  const tag = (message: string) => `[${host}] ${message}`;
  return {
    ...log,
    info: (message, data) => log.info(tag(message), data),
    warn: (message, data) => log.warn(tag(message), data),
  };
}
