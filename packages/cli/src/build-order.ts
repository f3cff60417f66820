import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { analyzeDockerfile } from '@devops-butler/core';
import type { BuildTarget } from './commands/build-setup.js';

/**
 * For each target, the other targets it builds FROM (`FROM {registry}/{repo}` or `:latest` of
 * another image of the same config): those are built first, and their image IDs then enter the
 * child's hash like any base image's.
 */
export function buildDependencies(targets: readonly BuildTarget[]): Map<BuildTarget, BuildTarget[]> {
  const byReference = new Map<string, BuildTarget>();
  for (const target of targets) {
    const { registry, repo } = target.request;
    byReference.set(`${registry}/${repo}`, target);
    byReference.set(`${registry}/${repo}:latest`, target);
  }
  const dependencies = new Map<BuildTarget, BuildTarget[]>();
  for (const target of targets) {
    const { context, dockerfile, buildArgs, target: stage } = target.request;
    let images: string[] = [];
    try {
      const text = readFileSync(resolve(context, dockerfile), 'utf8');
      images = analyzeDockerfile(text, { buildArgs, target: stage }).images;
    } catch {
      // An unreadable Dockerfile fails in the build itself, with its own message.
    }
    const parents = images.flatMap((reference) => {
      const parent = byReference.get(reference);
      return parent && parent !== target ? [parent] : [];
    });
    dependencies.set(target, [...new Set(parents)]);
  }
  assertNoCycle(dependencies);
  return dependencies;
}

function assertNoCycle(dependencies: Map<BuildTarget, BuildTarget[]>): void {
  const state = new Map<BuildTarget, 'visiting' | 'done'>();
  const visit = (target: BuildTarget, path: string[]): void => {
    if (state.get(target) === 'done') return;
    const name = target.name ?? target.request.repo;
    if (state.get(target) === 'visiting') {
      throw new Error(`images build FROM each other in a cycle: ${[...path, name].join(' → ')}`);
    }
    state.set(target, 'visiting');
    for (const parent of dependencies.get(target) ?? []) visit(parent, [...path, name]);
    state.set(target, 'done');
  };
  for (const target of dependencies.keys()) visit(target, []);
}

/**
 * Runs `run` for every target, at most `limit` at a time, each after the targets it depends on
 * succeeded; a target whose parent failed is not run (its error says which parent).
 */
export async function runInOrder<T>(
  dependencies: Map<BuildTarget, BuildTarget[]>,
  limit: number,
  run: (target: BuildTarget) => Promise<T>,
): Promise<Map<BuildTarget, { value: T } | { error: unknown }>> {
  const outcomes = new Map<BuildTarget, { value: T } | { error: unknown }>();
  const pending = new Set(dependencies.keys());
  const running = new Set<Promise<void>>();
  while (pending.size > 0 || running.size > 0) {
    for (const target of [...pending]) {
      if (running.size >= limit) break;
      const parents = dependencies.get(target) ?? [];
      const failed = parents.find((p) => outcomes.has(p) && 'error' in (outcomes.get(p) as object));
      if (failed) {
        pending.delete(target);
        outcomes.set(target, {
          error: new Error(`not built: ${failed.name ?? failed.request.repo}, which it builds FROM, failed`),
        });
        continue;
      }
      if (!parents.every((p) => outcomes.has(p))) continue;
      pending.delete(target);
      const job: Promise<void> = run(target).then(
        (value) => void outcomes.set(target, { value }),
        (error: unknown) => void outcomes.set(target, { error }),
      );
      const tracked = job.finally(() => running.delete(tracked));
      running.add(tracked);
    }
    if (running.size === 0 && pending.size > 0) continue; // only skips happened this round
    if (running.size > 0) await Promise.race(running);
  }
  return outcomes;
}
