/**
 * Every error a user can cause is a ButlerError with a stable `code`. Checks use `isInstance`
 * (a Symbol.for marker), never `instanceof`, so they work across duplicated package copies.
 */
const marker = Symbol.for('devops-butler.error');

export type ButlerErrorCode =
  | 'CONFIG_INVALID'
  | 'DOCKERFILE_MISSING'
  | 'DOCKERFILE_INVALID'
  | 'CONTEXT_INVALID'
  | 'FILE_UNREADABLE'
  | 'NAME_INVALID'
  | 'ENGINE_UNREACHABLE'
  | 'BUILD_FAILED'
  | 'NO_BACKEND'
  | 'PLUGIN_FAILED'
  | 'DEPENDENCIES_UNPINNED'
  | 'IMAGE_NOT_FOUND'
  | 'SOURCE_INVALID'
  | 'SOURCE_UNREACHABLE'
  | 'DEPLOY_FAILED'
  | 'DEPLOYMENT_UNKNOWN'
  | 'ROLLBACK_UNAVAILABLE'
  | 'REGISTRY_UNREACHABLE'
  | 'PUSH_FAILED'
  | 'REGISTRY_REFUSED'
  | 'LOCK_TIMEOUT'
  | 'CONTEXT_CHANGED'
  /** The engine answered, but not as asked (an unexpected status). */
  | 'ENGINE_FAILED';

export interface ButlerErrorOptions {
  cause?: unknown;
  /** What the user can do about it; printed after the message. */
  hint?: string;
  plugin?: string;
  hook?: string;
  /** What failed printed last (a build step's output): shown above the one-line message. */
  output?: string[];
}

export class ButlerError extends Error {
  readonly [marker] = true;
  readonly code: ButlerErrorCode;
  readonly hint: string | undefined;
  readonly output: string[] | undefined;
  plugin: string | undefined;
  hook: string | undefined;

  constructor(code: ButlerErrorCode, message: string, options: ButlerErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ButlerError';
    this.code = code;
    this.hint = options.hint;
    this.output = options.output;
    this.plugin = options.plugin;
    this.hook = options.hook;
  }

  static isInstance(value: unknown): value is ButlerError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[marker] === true;
  }
}

/** One line for a user: `[plugin:name] message — hint`. */
export function formatError(error: unknown): string {
  if (!ButlerError.isInstance(error)) {
    return error instanceof Error ? error.message : String(error);
  }
  const where = error.plugin ? `[plugin:${error.plugin}] ` : '';
  return `${where}${error.message}${error.hint ? ` — ${error.hint}` : ''}`;
}
