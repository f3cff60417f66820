import { setTimeout as sleep } from 'node:timers/promises';
import { ButlerError, compareCodeUnits, type Logger } from '@devops-butler/core';
import {
  type EngineEndpoint,
  inspectService,
  removeService,
  type ServiceTask,
  serviceTasks,
  taskLogTail,
} from '@devops-butler/engine-client';
import { UnhealthyDeployError } from '../shared/unhealthy.js';
import { MONITOR_MS } from './service-spec.js';

const POLL_MS = 250;
/** Task states that end a task for good. */
const FAILED = new Set(['failed', 'rejected']);

/**
 * A new service's first tasks: done when `replicas` run (with a HEALTHCHECK, Swarm says `running`
 * only once healthy). A task that fails first — a crash, an unhealthy check, an image no node
 * can pull — ends the deploy: nothing served before, so the service is removed again.
 */
export async function waitForCreate(
  endpoint: EngineEndpoint,
  wanted: { id: string; name: string; replicas: number; timeoutMs: number; log: Logger },
): Promise<void> {
  const deadline = Date.now() + wanted.timeoutMs;
  let failed: ServiceTask | undefined;
  while (Date.now() < deadline) {
    const tasks = await serviceTasks(endpoint, wanted.id);
    const up = tasks.filter((task) => task.desiredState === 'running' && task.state === 'running');
    if (up.length >= wanted.replicas) {
      for (const task of up) say(wanted.log, wanted.name, task);
      return;
    }
    failed = newest(tasks.filter((task) => FAILED.has(task.state)));
    if (failed) break;
    await sleep(POLL_MS);
  }
  const logs = failed ? await taskLogTail(endpoint, failed.id) : [];
  await removeService(endpoint, wanted.id);
  const why = failed ? taskProblem(wanted.name, failed) : `no task ran within ${wanted.timeoutMs / 1000}s`;
  throw new UnhealthyDeployError(
    `the new service ${wanted.name} is not healthy: ${why}; the service was removed again`,
    logs,
    'nothing served before; fix the app (docker service logs shows more) and deploy again',
  );
}

/**
 * An update of a running service, as Swarm rolls it out (one task at a time, each watched for the
 * monitor period). Done when Swarm says `completed`. When a new task fails, Swarm rolls back by
 * itself: this waits until the previous version serves again, then says which task failed and why.
 */
export async function waitForUpdate(
  endpoint: EngineEndpoint,
  wanted: {
    id: string;
    name: string;
    image: string;
    replicas: number;
    /** The last update's start: until the service shows a newer one, Swarm has not taken this one up. */
    startedAfter: string | undefined;
    timeoutMs: number;
    log: Logger;
  },
): Promise<void> {
  // Each task: start, become healthy, then the monitor period; one task at a time.
  const deadline = Date.now() + wanted.replicas * (wanted.timeoutMs + MONITOR_MS);
  let rollingBack = false;
  while (Date.now() < deadline) {
    const service = await inspectService(endpoint, wanted.id);
    if (!service) {
      throw new ButlerError(
        'DEPLOY_FAILED',
        `the Swarm service ${wanted.name} was removed during the update`,
      );
    }
    const state = service.updateStartedAt === wanted.startedAfter ? 'pending' : service.updateState;
    if (state === 'completed') {
      const tasks = await serviceTasks(endpoint, wanted.id);
      for (const task of tasks) {
        if (task.desiredState === 'running' && task.image === wanted.image)
          say(wanted.log, wanted.name, task);
      }
      return;
    }
    if (state === 'rollback_started' && !rollingBack) {
      rollingBack = true;
      wanted.log.info(`↩️ A new task of ${wanted.name} failed: Swarm is rolling the service back`);
    }
    if (state === 'paused' || state === 'rollback_completed' || state === 'rollback_paused') {
      const tasks = await serviceTasks(endpoint, wanted.id);
      const failed = newest(tasks.filter((task) => task.image === wanted.image && FAILED.has(task.state)));
      const logs = failed ? await taskLogTail(endpoint, failed.id) : [];
      const why = failed
        ? taskProblem(wanted.name, failed)
        : (service.updateMessage ?? 'the update did not finish');
      const back =
        state === 'rollback_completed'
          ? `Swarm rolled ${wanted.name} back to the previous version`
          : `Swarm paused the ${state === 'paused' ? 'update' : 'rollback'}: ${service.updateMessage ?? ''} (docker service ps ${wanted.name})`;
      throw new UnhealthyDeployError(
        `the new version of ${wanted.name} is not healthy: ${why}; ${back}`,
        logs,
        state === 'rollback_completed'
          ? 'the previous version keeps serving; fix the app and deploy again'
          : `look at docker service ps ${wanted.name}, then deploy again or butler rollback ${wanted.name}`,
      );
    }
    await sleep(POLL_MS);
  }
  throw new ButlerError('DEPLOY_FAILED', `the Swarm service ${wanted.name} did not converge in time`, {
    hint: `Swarm goes on with the update: docker service ps ${wanted.name} shows where it is`,
  });
}

/** `app.1 failed: task: non-zero exit (3)` — the task's error, else its message. */
function taskProblem(name: string, task: ServiceTask): string {
  return `task ${name}.${task.slot ?? '?'} ${task.state}: ${task.error ?? task.message}`;
}

function newest(tasks: ServiceTask[]): ServiceTask | undefined {
  return [...tasks].sort((a, b) => compareCodeUnits(b.updatedAt, a.updatedAt))[0];
}

function say(log: Logger, name: string, task: ServiceTask): void {
  log.info(
    `✔ Task ${name}.${task.slot ?? '?'} runs ${task.image.replace(/@sha256:[0-9a-f]{64}$/, '')}${task.nodeId ? ` on node ${task.nodeId.slice(0, 12)}` : ''}`,
  );
}
