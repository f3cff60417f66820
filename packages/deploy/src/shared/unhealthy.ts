import { ButlerError } from '@devops-butler/core';

/** Thrown when the new version is not healthy; what served before still serves. */
export class UnhealthyDeployError extends ButlerError {
  constructor(
    message: string,
    readonly logs: string[],
    hint = 'the previous container keeps serving; fix the app and deploy again',
  ) {
    super('DEPLOY_FAILED', message, { hint });
  }
}
