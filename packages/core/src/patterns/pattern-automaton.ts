/**
 * Linear-time matching for the patterns users write (`.dockerignore` lines, COPY globs, manifest
 * names). A pattern becomes a small automaton (Thompson's construction) that reads a path once,
 * character by character, keeping the set of states it may be in — no backtracking, so no pattern
 * can cost more than (path length × pattern length). State sets are cached as they are met (a lazy
 * DFA), so the usual path costs one map lookup per character.
 */

/** Which single characters an atom accepts (a code point as a string). */
export type CharTest = (ch: string) => boolean;

/** One unit of a pattern: a character test, a group of pieces, or the start-of-text anchor. */
export type Atom = { type: 'char'; test: CharTest } | { type: 'group'; body: Piece[] } | { type: 'start' };

/** An atom and how often it occurs. */
export interface Piece {
  atom: Atom;
  repeat: 'one' | 'optional' | 'many';
}

interface NfaState {
  eps: number[];
  /** Empty moves taken only at the start of the text (`^`). */
  startEps: number[];
  moves: { test: CharTest; to: number }[];
}

interface DfaState {
  accept: boolean;
  dead: boolean;
  states: number[];
  next: Map<string, DfaState>;
}

/** How many state sets one pattern caches; past it, transitions are computed without caching. */
const MAX_CACHED_STATES = 4096;

/** A compiled pattern: `matches(text)` is true when the whole text matches. */
export interface PatternAutomaton {
  matches(text: string): boolean;
}

/** Compiles pieces (matched against the whole text) into an automaton. */
export function compileAutomaton(pieces: readonly Piece[]): PatternAutomaton {
  const nfa: NfaState[] = [];
  const newState = (): number => nfa.push({ eps: [], startEps: [], moves: [] }) - 1;
  const accept = newState();
  const start = compileSequence(pieces, accept, nfa, newState);
  const cache = new Map<string, DfaState>();

  const dfaState = (states: number[]): DfaState => {
    const key = states.join(',');
    const known = cache.get(key);
    if (known) return known;
    const state = { accept: states.includes(accept), dead: states.length === 0, states, next: new Map() };
    if (cache.size < MAX_CACHED_STATES) cache.set(key, state);
    return state;
  };
  const initial = dfaState(closure(nfa, [start], true));
  const step = (from: DfaState, ch: string): DfaState => {
    const known = from.next.get(ch);
    if (known) return known;
    const targets: number[] = [];
    for (const s of from.states) {
      for (const move of (nfa[s] as NfaState).moves) if (move.test(ch)) targets.push(move.to);
    }
    const next = dfaState(closure(nfa, targets, false));
    if (cache.size < MAX_CACHED_STATES) from.next.set(ch, next);
    return next;
  };

  return {
    matches(text) {
      let state = initial;
      for (const ch of text) {
        state = step(state, ch);
        if (state.dead) return false;
      }
      return state.accept;
    },
  };
}

/** Builds the states for `pieces` back to front, each leading into `next`; returns the first. */
function compileSequence(
  pieces: readonly Piece[],
  next: number,
  nfa: NfaState[],
  newState: () => number,
): number {
  let target = next;
  for (let i = pieces.length - 1; i >= 0; i--) {
    const { atom, repeat } = pieces[i] as Piece;
    if (atom.type === 'start') {
      const s = newState();
      (nfa[s] as NfaState).startEps.push(target);
      target = s;
    } else if (atom.type === 'char') {
      const s = newState();
      const state = nfa[s] as NfaState;
      state.moves.push({ test: atom.test, to: repeat === 'many' ? s : target });
      if (repeat !== 'one') state.eps.push(target);
      target = s;
    } else if (repeat === 'one') {
      target = compileSequence(atom.body, target, nfa, newState);
    } else {
      const s = newState();
      const body = compileSequence(atom.body, repeat === 'many' ? s : target, nfa, newState);
      (nfa[s] as NfaState).eps.push(body, target);
      target = s;
    }
  }
  return target;
}

/** The states reachable from `from` by empty moves, sorted (so equal sets share one cache key). */
function closure(nfa: NfaState[], from: number[], atStart: boolean): number[] {
  const seen = new Set<number>();
  const stack = [...from];
  while (stack.length > 0) {
    const s = stack.pop() as number;
    if (seen.has(s)) continue;
    seen.add(s);
    const state = nfa[s] as NfaState;
    stack.push(...state.eps);
    if (atStart) stack.push(...state.startEps);
  }
  return [...seen].sort((a, b) => a - b);
}

/** Accepts exactly `ch`. */
export function literal(ch: string): Piece {
  return { atom: { type: 'char', test: (c) => c === ch }, repeat: 'one' };
}
