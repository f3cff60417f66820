/** A container of a deployment's swap, as the recovery plan needs it. */
export interface SwapMember {
  id: string;
  running: boolean;
  /** Set on a candidate that stopped its predecessor to take its volumes over: that one's ID. */
  tookOver?: string | undefined;
}

/** The containers a swap of `name` may have left: `name`, `name-old`, `name-next`. */
export interface SwapState {
  serving?: SwapMember | undefined;
  old?: SwapMember | undefined;
  next?: SwapMember | undefined;
}

/** One thing recovery does to the engine, or says. */
export type RecoveryStep =
  | { do: 'rename'; id: string; to: string }
  /** `grace`: with the deployment's grace period; `removeVolumes`: its anonymous volumes go with it. */
  | { do: 'remove'; id: string; grace: boolean; removeVolumes: boolean }
  | { do: 'start'; id: string }
  /** An interrupted handover may have left the front holding connections. */
  | { do: 'release-front' }
  | { do: 'say'; message: string };

/**
 * What brings a deployment that a killed or failed deploy left between two states back to one that
 * serves. The swap's states: the candidate `<name>-next` runs beside `<name>`; `<name>` renamed
 * to `<name>-old`; the candidate renamed to `<name>` (the old one drains). And with volumes, the
 * old one stopped while the candidate starts on its volumes. Pure: `recoverInterruptedSwap` runs it.
 */
export function planRecovery(name: string, state: SwapState): RecoveryStep[] {
  const { serving, old } = state;
  let next = state.next;
  const steps: RecoveryStep[] = [];
  if (!serving && old && next?.running) {
    // Stopped between the two renames: the candidate had passed its health check (nothing is
    // renamed before), so the swap is finished forward.
    steps.push(
      { do: 'rename', id: next.id, to: name },
      { do: 'remove', id: old.id, grace: true, removeVolumes: false },
      { do: 'say', message: `♻️ ${name}: finished the swap an interrupted deploy had started` },
    );
    next = undefined;
  } else if (!serving && old) {
    // The old container served until now (the front falls back to it): it gets its name back.
    steps.push({ do: 'rename', id: old.id, to: name });
    if (!old.running) steps.push({ do: 'start', id: old.id });
    steps.push({
      do: 'say',
      message: `♻️ ${name}: an interrupted deploy left it without a container by that name; the previous one serves again`,
    });
  } else if (serving && old) {
    // Stopped during the drain: the new container serves; the old one gets its grace period now.
    steps.push(
      { do: 'remove', id: old.id, grace: true, removeVolumes: false },
      { do: 'say', message: `🧹 ${name}: removed the container an interrupted deploy had replaced` },
    );
  }
  if (next) {
    // A candidate never swapped in. If it had taken over the volumes, their owner starts again
    // (and keeps them: a candidate's own fresh anonymous volumes go with it, taken-over ones stay).
    steps.push({ do: 'remove', id: next.id, grace: false, removeVolumes: next.tookOver === undefined });
    if (serving && !serving.running && next.tookOver === serving.id) {
      steps.push(
        { do: 'start', id: serving.id },
        {
          do: 'say',
          message: `♻️ ${name}: an interrupted deploy had stopped it for its volumes; started again`,
        },
      );
    }
    if (next.tookOver !== undefined) steps.push({ do: 'release-front' });
  }
  return steps;
}
