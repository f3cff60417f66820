import type { Argument, Copy, Flag, Instruction, PropertyInstruction } from 'dockerfile-ast';
import { ButlerError } from '../kernel/errors.js';
import { dockerfileParser } from './dockerfile-parser.js';
import { expandWord } from './word-expansion.js';

type Range = ReturnType<Argument['getRange']>;

/** A context path (or glob) that a COPY, ADD or RUN --mount=type=bind of a needed stage reads. */
export interface ContextSource {
  /** As written after expansion, relative to the context root ('.' for the whole context). */
  path: string;
  /** Line (1-based) of the instruction, for messages. */
  line: number;
}

/** What the build reads from the context and which images it starts from. */
export interface DockerfileAnalysis {
  sources: ContextSource[];
  /** External images: every FROM that is not a stage or scratch, every `--from` that is an image. */
  images: string[];
  /** Why the sources cannot be trusted (then the whole context is used); empty when certain. */
  uncertain: string[];
  /** Notes worth telling the user (ADD of a URL is not hashed by content, say). */
  notes: string[];
  /** Every ARG name the Dockerfile declares, in any stage: only these build args can change the image. */
  declaredArgs: string[];
  /** The frontend image a `# syntax=` line names (BuildKit builds with it); also in `images`. */
  frontend?: string | undefined;
}

interface Stage {
  index: number;
  name: string | undefined;
  base: string;
  instructions: Instruction[];
  line: number;
}

/** Reads a Dockerfile and works out, for `target` and the stages it needs, what it reads. */
export function analyzeDockerfile(
  text: string,
  options: {
    buildArgs?: Record<string, string>;
    target?: string | undefined;
    /** ARGs that are '' when declared without a default or a build arg (the classic builder's platform args). */
    emptyWhenUnset?: ReadonlySet<string> | undefined;
  } = {},
): DockerfileAnalysis {
  const buildArgs = options.buildArgs ?? {};
  const emptyWhenUnset = options.emptyWhenUnset ?? new Set<string>();
  const dockerfile = dockerfileParser().parse(text);
  const escapeChar = dockerfile.getEscapeCharacter();
  const result: DockerfileAnalysis = { sources: [], images: [], uncertain: [], notes: [], declaredArgs: [] };
  const declared = new Set<string>();

  // ARGs before the first FROM are visible to FROM lines, overridden by build args.
  const metaArgs = new Map<string, string>();
  const stages: Stage[] = [];
  for (const instruction of dockerfile.getInstructions()) {
    const keyword = instruction.getKeyword();
    const line = instruction.getRange().start.line + 1;
    if (keyword === 'ARG')
      for (const p of (instruction as PropertyInstruction).getProperties()) declared.add(p.getName());
    if (keyword === 'FROM') {
      const args = instruction.getArguments().map((a) => a.getValue());
      const image = args[0];
      if (!image) throw invalid(line, 'FROM needs an image');
      const expanded = expandWord(image, metaArgs, escapeChar);
      if (expanded.unknown.length > 0)
        result.uncertain.push(`line ${line}: FROM uses unset ${expanded.unknown.join(', ')}`);
      const name = args[1]?.toUpperCase() === 'AS' ? args[2]?.toLowerCase() : undefined;
      stages.push({ index: stages.length, name, base: expanded.value, instructions: [], line });
    } else if (stages.length === 0) {
      if (keyword === 'ARG')
        declareArgs(
          instruction as PropertyInstruction,
          metaArgs,
          metaArgs,
          buildArgs,
          escapeChar,
          emptyWhenUnset,
        );
      else if (keyword !== '') throw invalid(line, `${keyword} before the first FROM`);
    } else {
      (stages[stages.length - 1] as Stage).instructions.push(instruction);
    }
  }
  if (stages.length === 0) throw invalid(1, 'no FROM instruction');

  const byName = new Map(stages.filter((s) => s.name).map((s) => [s.name as string, s]));
  const stageRef = (ref: string): Stage | undefined =>
    byName.get(ref.toLowerCase()) ?? (/^\d+$/.test(ref) ? stages[Number(ref)] : undefined);

  const targetStage = options.target ? byName.get(options.target.toLowerCase()) : stages[stages.length - 1];
  if (!targetStage) {
    throw new ButlerError('DOCKERFILE_INVALID', `target stage "${options.target}" is not in the Dockerfile`, {
      hint: `use one of: ${[...byName.keys()].join(', ') || '(no named stages)'}`,
    });
  }

  const visited = new Set<Stage>();
  const visit = (stage: Stage): Map<string, string> => {
    visited.add(stage);
    // A stage inherits ENV (not ARG) from the stage it builds on; an external image's ENV is unknown.
    const parent = stageRef(stage.base);
    const vars = parent && parent.index < stage.index ? new Map(envOf(parent)) : new Map<string, string>();
    if (!parent) addImage(result, stage.base);
    analyzeStage(text, stage, vars, metaArgs, buildArgs, escapeChar, emptyWhenUnset, result, (ref) => {
      const from = stageRef(ref);
      if (from && from.index < stage.index) {
        if (!visited.has(from)) visit(from);
      } else addImage(result, ref);
    });
    stageEnv.set(stage, vars);
    return vars;
  };
  const stageEnv = new Map<Stage, Map<string, string>>();
  const envOf = (stage: Stage): Map<string, string> => stageEnv.get(stage) ?? visit(stage);
  visit(targetStage);

  result.images = [...new Set(result.images)].sort();
  result.declaredArgs = [...declared].sort();
  return result;
}

function addImage(result: DockerfileAnalysis, reference: string): void {
  if (reference.toLowerCase() !== 'scratch') result.images.push(reference);
}

function analyzeStage(
  text: string,
  stage: Stage,
  vars: Map<string, string>,
  metaArgs: Map<string, string>,
  buildArgs: Record<string, string>,
  escapeChar: string,
  emptyWhenUnset: ReadonlySet<string>,
  result: DockerfileAnalysis,
  useFrom: (ref: string) => void,
): void {
  for (const instruction of stage.instructions) {
    const keyword = instruction.getKeyword();
    const line = instruction.getRange().start.line + 1;
    const expand = (word: string, what: string): string | undefined => {
      const expanded = expandWord(word, vars, escapeChar);
      // BuildKit refuses the instruction; hashing what is left would hash the wrong file, or none.
      if (expanded.unterminated)
        throw invalid(line, `${what} ${word} has an unterminated ${expanded.unterminated} quote`);
      if (expanded.unknown.length === 0) return expanded.value;
      result.uncertain.push(`line ${line}: ${what} uses unset ${expanded.unknown.join(', ')}`);
      return undefined;
    };
    if (keyword === 'ARG')
      declareArgs(instruction as PropertyInstruction, vars, metaArgs, buildArgs, escapeChar, emptyWhenUnset);
    else if (keyword === 'ENV') {
      for (const property of (instruction as PropertyInstruction).getProperties()) {
        vars.set(property.getName(), expandWord(property.getValue() ?? '', vars, escapeChar).value);
      }
    } else if (keyword === 'COPY' || keyword === 'ADD') {
      const from = flagValue(instruction, 'from');
      if (from !== undefined) {
        const ref = expand(from, '--from');
        if (ref !== undefined) useFrom(ref);
        continue;
      }
      if (flags(instruction).some((f) => f.getName() === 'exclude')) {
        // Only BuildKit knows --exclude (Dockerfile 1.7+); hashing the excluded files too costs a
        // rebuild at worst, never a stale image.
        result.notes.push(
          `line ${line}: ${keyword} --exclude is not applied to the hash (BuildKit-only); the files it excludes are hashed too`,
        );
      }
      for (const source of copySources(instruction as Copy, text)) {
        if (keyword === 'ADD' && /^(https?:\/\/|git@|git:\/\/)/.test(source)) {
          // The note names the URL the builder fetches (variables expanded), credentials hidden.
          const url = expandWord(source, vars, escapeChar).value.replace(/\/\/[^/@\s]+@/, '//***@');
          result.notes.push(`line ${line}: ADD ${url} is fetched at build time; its content is not hashed`);
          continue;
        }
        const path = expand(source, `${keyword} source`);
        if (path !== undefined) result.sources.push({ path, line });
      }
    } else if (keyword === 'RUN') {
      for (const flag of flags(instruction).filter((f) => f.getName() === 'mount')) {
        const options = new Map(flag.getOptions().map((o) => [o.getName(), o.getValue() ?? '']));
        if ((options.get('type') ?? 'bind') !== 'bind') continue;
        const from = options.get('from');
        const source = options.get('source') ?? options.get('src') ?? '.';
        if (from !== undefined) {
          const ref = expand(from, 'RUN --mount from');
          if (ref !== undefined) useFrom(ref);
        } else {
          const path = expand(source, 'RUN --mount source');
          if (path !== undefined) result.sources.push({ path, line });
        }
      }
    } else if (keyword === 'ONBUILD') {
      const trigger = instruction.getArguments()[0]?.getValue().toUpperCase();
      if (trigger === 'COPY' || trigger === 'ADD') {
        result.uncertain.push(`line ${line}: ONBUILD ${trigger} reads the context of a later build`);
      }
    }
  }
}

/** ARG NAME[=default]: a build arg wins, else the default, else a same-named ARG from before FROM. */
function declareArgs(
  instruction: PropertyInstruction,
  vars: Map<string, string>,
  metaArgs: Map<string, string>,
  buildArgs: Record<string, string>,
  escapeChar: string,
  emptyWhenUnset: ReadonlySet<string>,
): void {
  for (const property of instruction.getProperties()) {
    const name = property.getName();
    const fallback = property.getValue();
    if (Object.hasOwn(buildArgs, name)) vars.set(name, buildArgs[name] as string);
    else if (fallback !== null) vars.set(name, expandWord(fallback, vars, escapeChar).value);
    else if (metaArgs.has(name)) vars.set(name, metaArgs.get(name) as string);
    else if (emptyWhenUnset.has(name)) vars.set(name, '');
  }
}

function flags(instruction: Instruction): Flag[] {
  const withFlags = instruction as Instruction & { getFlags?: () => Flag[] };
  return withFlags.getFlags?.() ?? [];
}

function flagValue(instruction: Instruction, name: string): string | undefined {
  return (
    flags(instruction)
      .find((f) => f.getName() === name)
      ?.getValue() ?? undefined
  );
}

/** COPY/ADD sources: every argument but the destination, in JSON or shell form, heredocs excluded. */
function copySources(instruction: Copy, text: string): string[] {
  const json = instruction.getJSONStrings();
  // The parser drops spaces inside JSON strings ("a b" → "ab"): decode the original text instead.
  if (json.length > 0)
    return json.slice(0, -1).map((a) => decodeJsonString(text, a.getRange(), a.getJSONValue()));
  const firstLine = instruction.getRange().start.line;
  const args = instruction.getArguments();
  const hasHeredoc = args.some((a) => a.getValue().startsWith('<<'));
  // With a heredoc, only words on the instruction's own line are sources; the rest is its body.
  // The raw text of each word (when on one line): Docker's lexer, not the parser's, decides what
  // its escapes and quotes mean (the parser unescapes some, so a stray quote went unnoticed).
  const lines = text.split('\n');
  const raw = (a: Argument): string => {
    const { start, end } = a.getRange();
    return start.line === end.line
      ? (lines[start.line] ?? '').slice(start.character, end.character)
      : a.getValue();
  };
  const words = (hasHeredoc ? args.filter((a) => a.getRange().start.line === firstLine) : args).map(raw);
  return words.slice(0, -1).filter((w) => !w.startsWith('<<'));
}

function decodeJsonString(text: string, range: Range, fallback: string): string {
  const { start, end } = range;
  if (start.line !== end.line) return fallback;
  const line = text.split('\n')[start.line] ?? '';
  try {
    return JSON.parse(line.slice(start.character, end.character)) as string;
  } catch {
    return fallback;
  }
}

function invalid(line: number, message: string): ButlerError {
  return new ButlerError('DOCKERFILE_INVALID', `Dockerfile line ${line}: ${message}`, {
    hint: 'fix the Dockerfile; `docker build` would reject it too',
  });
}
