import { ButlerError } from '../kernel/errors.js';
import { cleanPath } from '../patterns/clean-path.js';
import { parseGoRegexp } from '../patterns/ignore-regexp.js';
import { assertValidGlob } from '../patterns/path-glob.js';
import { compileAutomaton, type PatternAutomaton } from '../patterns/pattern-automaton.js';

/**
 * `.dockerignore` with Docker's semantics (moby/patternmatcher): the last matching pattern wins,
 * `!` re-includes, a path is ignored when it or any parent folder matches, `**` spans folders.
 * Implemented from the documented behaviour and checked against Docker's own test tables.
 * Docker compiles a pattern into a regular expression; so does this, but the expression is run by
 * a linear-time automaton, never by a backtracking engine: `**\/**\/**\/…` costs what `a` costs.
 */

/** Parses ignore-file text into patterns the way Docker's ignorefile.ReadAll does. */
export function parseDockerignore(text: string | null): string[] {
  if (text === null) return [];
  const patterns: string[] = [];
  const lines = text.replace(/^\uFEFF/, '').split('\n');
  for (const raw of lines) {
    // A comment is a line whose very first character is '#', before any trimming.
    if (raw.startsWith('#')) continue;
    let pattern = raw.trim();
    if (pattern === '') continue;
    const invert = pattern.startsWith('!');
    if (invert) pattern = pattern.slice(1).trim();
    if (pattern.length > 0) {
      pattern = cleanPath(pattern);
      if (pattern.length > 1 && pattern.startsWith('/')) pattern = pattern.slice(1);
    }
    patterns.push(invert ? `!${pattern}` : pattern);
  }
  return patterns;
}

type MatchKind = 'exact' | 'prefix' | 'suffix' | 'regexp';

interface CompiledPattern {
  cleaned: string;
  exclusion: boolean;
  kind: MatchKind;
  automaton?: PatternAutomaton;
}

const REGEXP_SPECIAL = new Set(['.', '+', '(', ')', '|', '{', '}', '$']);

/**
 * Compiles one cleaned pattern, keeping Docker's fast paths (they differ from the regexp at edges).
 * `source` is the regular expression patternmatcher would build, character for character.
 */
function compilePattern(cleaned: string, exclusion: boolean): CompiledPattern {
  let source = '';
  let kind: MatchKind = 'exact';
  const chars = [...cleaned];
  for (let i = 0, step = 0; i < chars.length; i++, step++) {
    const ch = chars[i] as string;
    if (ch === '*' && chars[i + 1] === '*') {
      i++;
      if (chars[i + 1] === '/') i++;
      if (i + 1 === chars.length) {
        if (kind === 'exact') kind = 'prefix';
        else {
          source += '.*';
          kind = 'regexp';
        }
      } else {
        source += '(.*/)?';
        kind = 'regexp';
      }
      if (step === 0) kind = 'suffix';
    } else if (ch === '*') {
      source += '[^/]*';
      kind = 'regexp';
    } else if (ch === '?') {
      source += '[^/]';
      kind = 'regexp';
    } else if (REGEXP_SPECIAL.has(ch)) {
      source += `\\${ch}`;
    } else if (ch === '\\') {
      const next = chars[i + 1];
      if (next === undefined) source += '\\\\';
      else {
        source += /[\w]/.test(next) ? next : `\\${next}`;
        i++;
        kind = 'regexp';
      }
    } else if (ch === '[' || ch === ']') {
      source += ch;
      kind = 'regexp';
    } else {
      source += ch;
    }
  }
  if (kind !== 'regexp') return { cleaned, exclusion, kind };
  return { cleaned, exclusion, kind, automaton: compileAutomaton(parseGoRegexp(source)) };
}

function matchOne(pattern: CompiledPattern, path: string): boolean {
  switch (pattern.kind) {
    case 'exact':
      return path === pattern.cleaned;
    case 'prefix':
      return path.startsWith(pattern.cleaned.slice(0, -2));
    case 'suffix': {
      const suffix = pattern.cleaned.slice(2);
      return path.endsWith(suffix) || (suffix.startsWith('/') && path === suffix.slice(1));
    }
    case 'regexp':
      return (pattern.automaton as PatternAutomaton).matches(path);
  }
}

/** Builds a matcher from patterns (as `patternmatcher.New` takes them); throws on a bad pattern. */
export function createPatternMatcher(patterns: readonly string[]): (relPath: string) => boolean {
  const compiled: CompiledPattern[] = [];
  for (const raw of patterns) {
    let pattern = raw.trim();
    if (pattern === '') continue;
    pattern = cleanPath(pattern);
    let exclusion = false;
    if (pattern.startsWith('!')) {
      if (pattern.length === 1) throw invalidPattern(raw, 'a lone "!" excludes nothing');
      exclusion = true;
      pattern = pattern.slice(1);
    }
    try {
      assertValidGlob(pattern);
      // Some patterns pass Go's glob check but make no valid regular expression ("[Local-Only]").
      compiled.push(compilePattern(pattern, exclusion));
    } catch {
      throw invalidPattern(raw, 'syntax error in pattern');
    }
  }
  if (!compiled.some((pattern) => pattern.exclusion)) return matcherWithoutExceptions(compiled);
  return (relPath: string): boolean => {
    const file = cleanOrAsIs(relPath);
    if (file === '.') return false;
    const slash = file.lastIndexOf('/');
    const parents = slash === -1 ? [] : file.slice(0, slash).split('/');
    let matched = false;
    for (const pattern of compiled) {
      // An inclusion can't change an already-ignored path, nor an exclusion a kept one.
      if (pattern.exclusion !== matched) continue;
      let match = matchOne(pattern, file);
      for (let i = 1; !match && i <= parents.length; i++) {
        match = matchOne(pattern, parents.slice(0, i).join('/'));
      }
      if (match) matched = !pattern.exclusion;
    }
    return matched;
  };
}

/**
 * Without `!` exceptions a path is ignored when it or a parent folder matches any pattern; a
 * folder's answer is remembered, so the files of a folder cost one match each, not one per
 * parent (the walk asks about every file of the context on every hit).
 */
function matcherWithoutExceptions(compiled: readonly CompiledPattern[]): (relPath: string) => boolean {
  const folders = new Map<string, boolean>();
  const matchesAny = (path: string) => compiled.some((pattern) => matchOne(pattern, path));
  const folderIgnored = (folder: string): boolean => {
    let ignored = folders.get(folder);
    if (ignored === undefined) {
      const slash = folder.lastIndexOf('/');
      ignored = (slash !== -1 && folderIgnored(folder.slice(0, slash))) || matchesAny(folder);
      folders.set(folder, ignored);
    }
    return ignored;
  };
  return (relPath: string): boolean => {
    const file = cleanOrAsIs(relPath);
    if (file === '.') return false;
    const slash = file.lastIndexOf('/');
    return (slash !== -1 && folderIgnored(file.slice(0, slash))) || matchesAny(file);
  };
}

/** A path as the walk makes them (`a/b`) is already clean; anything else goes through cleanPath. */
function cleanOrAsIs(path: string): string {
  const clean =
    path !== '' &&
    path.charCodeAt(0) !== 47 &&
    path.charCodeAt(path.length - 1) !== 47 &&
    !path.includes('//') &&
    !/(^|\/)\.\.?(\/|$)/.test(path);
  return clean ? path : cleanPath(path);
}

/** `createIgnoreMatcher(text)(relPath)` is true when Docker leaves `relPath` out of the context. */
export function createIgnoreMatcher(dockerignoreText: string | null): (relPath: string) => boolean {
  return createPatternMatcher(parseDockerignore(dockerignoreText));
}

function invalidPattern(pattern: string, why: string): ButlerError {
  return new ButlerError('CONTEXT_INVALID', `invalid .dockerignore pattern "${pattern}": ${why}`, {
    hint: 'fix or remove that line of .dockerignore',
  });
}
