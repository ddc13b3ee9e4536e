/**
 * Why a step failed. The type decides the retry policy (see src/activities/step-retry.ts),
 * so every failure the engine raises must be classified here rather than thrown raw.
 */
export type StepErrorType =
  | 'ElementNotFound' // no selector alternative matched in time
  | 'StepTimeout' // the page did not reach the expected state in time
  | 'NavigationError' // page load / network failure
  | 'AssertionFailed' // page reached a state that contradicts the recording (count, properties, title, url)
  | 'InvalidStep' // the step cannot be executed as written (unknown custom step, bad frame path)
  | 'SessionLost'; // the page, context or browser is gone

export class StepError extends Error {
  constructor(
    readonly type: StepErrorType,
    message: string,
  ) {
    super(message);
    this.name = type;
  }
}
