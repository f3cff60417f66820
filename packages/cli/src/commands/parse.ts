import type * as Util from 'node:util';
import { assertRepoName, parseDuration } from '@devops-butler/core';
import { closestTo } from '../did-you-mean.js';
import { UsageError } from '../usage-error.js';

// Node's builtin, not `import ... from 'node:util'`: an ES import of node:util makes Node read every
// export of it, which loads worker_threads, the diff and colour code (14 of Node's modules a run).
const { parseArgs } = process.getBuiltinModule('node:util') as typeof Util;

type Options = NonNullable<Util.ParseArgsConfig['options']>;
type Parsed<T extends Options> = ReturnType<
  typeof parseArgs<{ args: string[]; options: T; allowPositionals: true; strict: true }>
>;

/** parseArgs with one-line usage errors (and "did you mean") instead of Node's exceptions. */
export function parseCommandArgs<T extends Options>(args: string[], options: T, command: string): Parsed<T> {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(flagProblem(error as NodeJS.ErrnoException, options, command, args));
  }
}

/** Node's parseArgs error as one line in Butler's words, ending with where to look. */
export function flagProblem(
  error: NodeJS.ErrnoException,
  options: Options,
  command: string,
  args: readonly string[],
): string {
  const help = `run butler ${command} --help for its options`;
  const flag = /'(-[^' ]*)/.exec(error.message)?.[1] ?? '';
  const name = flag.replace(/^-+/, '').split('=')[0] ?? '';
  const spelled = (option: string) => `--${option}${options[option]?.type === 'string' ? ' VALUE' : ''}`;
  if (error.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const longNames = Object.keys(options);
    const shortNames = Object.entries(options).flatMap(([long, o]) => (o.short ? [[o.short, long]] : []));
    const guess = flag.startsWith('--')
      ? closestTo(name, longNames)
      : shortNames.find(([short]) => short?.toLowerCase() === name.toLowerCase())?.[1];
    return `butler ${command} has no option ${flag}${guess ? ` — did you mean ${spelled(guess)}?` : ''} (${help})`;
  }
  if (error.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const long = flag.startsWith('--')
      ? name
      : Object.entries(options).find(([, o]) => o.short === name)?.[0];
    const shown = long ? `--${long}` : flag;
    if (/does not take an argument/.test(error.message)) return `${shown} takes no value (${help})`;
    if (/ambiguous/.test(error.message)) {
      const value = args[args.indexOf(flag) + 1] ?? '-VALUE';
      return `${shown} needs a value; to give "${value}", which starts with "-", write ${shown}=${value}`;
    }
    return `${shown} needs a value (${help})`;
  }
  return `${error.message.split('\n')[0]} (${help})`;
}

/** A whole number ≥ 1 given to `flag`, or a usage error naming it. */
export function countFlag(flag: string, text: string): number {
  const n = Number(text);
  if (!(Number.isInteger(n) && n >= 1)) throw new UsageError(`${flag} "${text}" must be a whole number ≥ 1`);
  return n;
}

/** A duration given to `flag` (`90s`, `2m`, `24h`) in milliseconds, or a usage error naming it. */
export function durationFlag(flag: string, text: string | number): number {
  try {
    return parseDuration(text);
  } catch {
    throw new UsageError(`${flag} "${text}" is not a duration (like 90s or 2m)`);
  }
}

const REPO_QUERY_FLAGS = {
  repo: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The flags of commands that report on one repository or all (`list`, `stats`): no arguments. */
export function parseRepoQuery(
  args: string[],
  command: string,
): { help: boolean; repo: string | undefined; json: boolean } {
  const { values, positionals } = parseCommandArgs(args, REPO_QUERY_FLAGS, command);
  if (!values.help && positionals.length > 0) {
    throw new UsageError(`butler ${command} takes no arguments — use --repo ${positionals[0]}`);
  }
  if (!values.help && values.repo !== undefined) assertRepoName(values.repo);
  return { help: values.help === true, repo: values.repo, json: values.json === true };
}
