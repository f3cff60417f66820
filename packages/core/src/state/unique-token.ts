/**
 * A name no other call makes, in any process or host sharing a state folder: a lock's owner token,
 * a journaled hit's file. Not a secret, so not `node:crypto` (~10 ms to load, on every cache hit):
 * V8 seeds each process's `Math.random` from the operating system's entropy, and 96 of its bits
 * make a repeat as likely as a collision of two random 96-bit numbers.
 */
export function uniqueToken(): string {
  let token = '';
  for (let i = 0; i < 3; i++) {
    token += Math.floor(Math.random() * 0x1_0000_0000)
      .toString(16)
      .padStart(8, '0');
  }
  return token;
}
