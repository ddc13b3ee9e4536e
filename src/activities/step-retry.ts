import type { StepErrorType } from '../browser/errors';

/**
 * Total attempts per error type. One activity retry policy cannot vary by error type, so the activity
 * marks its failure non-retryable once the budget for that type is spent (visible as such in the Web UI).
 */
export const ATTEMPTS_BY_ERROR_TYPE: Record<StepErrorType, number> = {
  ElementNotFound: 3, // the first try plus 2 more over the selector list
  NavigationError: 3, // network blips; the policy's backoff spaces them out
  StepTimeout: 2,
  AssertionFailed: 1, // the page answered, and the answer was wrong: retrying can only hide a bug
  InvalidStep: 1,
  SessionLost: 1, // the row restarts on a new session instead
};

export function isFinalAttempt(type: StepErrorType, attempt: number): boolean {
  return attempt >= ATTEMPTS_BY_ERROR_TYPE[type];
}
