const marker = Symbol.for('devops-butler.usage-error');

/** A wrong command line: printed as one line, exit code 2. */
export class UsageError extends Error {
  readonly [marker] = true;

  static isInstance(value: unknown): value is UsageError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[marker] === true;
  }
}
