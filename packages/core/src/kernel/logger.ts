/**
 * How much a message matters: `warn` reaches the user always, `info` in normal output, `debug`
 * with --verbose; `progress` is how far long work has come (a pull, a push): on a terminal one
 * line that rewrites itself, in logs a line every few seconds at most, never in --json.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'progress';

/** One message from a plugin or a library step; how it looks is the CLI's decision alone. */
export interface LogEntry {
  level: LogLevel;
  /** Who says it: `butler:remote-cache`, `butler:deploy`, a custom plugin's name. */
  plugin: string;
  message: string;
  /** Structured details for `--json` and programs (a reference, a host, a count). */
  data?: Readonly<Record<string, unknown>> | undefined;
}

/** What a plugin writes to (Rollup's `this.warn`, webpack's infrastructure logger). */
export interface Logger {
  debug(message: string, data?: Record<string, unknown>): void;
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
  progress(message: string, data?: Record<string, unknown>): void;
}

/** A logger for `plugin` that hands every entry to `sink`. */
export function createLogger(plugin: string, sink: (entry: LogEntry) => void): Logger {
  const at =
    (level: LogLevel) =>
    (message: string, data?: Record<string, unknown>): void =>
      sink({ level, plugin, message, ...(data ? { data } : {}) });
  return { debug: at('debug'), info: at('info'), warn: at('warn'), progress: at('progress') };
}
