/**
 * The names of the locks deploys take (under the state folder). Made here, once, so a deploy, an
 * undeploy and a recovery of one deployment always meet on the same lock.
 */

/** The lock one replacement of a deployment holds (deploy, undeploy and recovery take it). */
export function deploymentLock(name: string): string {
  return `deploy:${name}`;
}

/** The lock a checkout folder is held with while a deploy moves its files and builds them. */
export function checkoutLock(source: string): string {
  return `checkout:${source}`;
}
