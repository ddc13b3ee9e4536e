import { ActivityFailure } from '@temporalio/workflow';

/** The message a person needs from whatever an activity or child rejected with. */
export function describeError(err: unknown): string {
  const cause = err instanceof ActivityFailure && err.cause ? err.cause : err;
  return cause instanceof Error ? cause.message : String(cause);
}
