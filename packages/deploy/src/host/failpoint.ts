/**
 * Named points in a deploy where a kill test stops Butler: with `BUTLER_FAILPOINT=<name>` the
 * process says `failpoint <name>` on stderr and waits there until it is killed. Without the
 * variable it costs one comparison.
 */
export async function failpoint(name: string): Promise<void> {
  if (process.env.BUTLER_FAILPOINT !== name) return;
  process.stderr.write(`failpoint ${name}\n`);
  // A timer keeps the process alive while it waits for its kill.
  await new Promise(() => setInterval(() => undefined, 60_000));
}
