/**
 * Bad user input (recording, CSV, config, API call). Raised before any work starts;
 * the CLI maps it to exit code 2 and the workflow marks it non-retryable.
 */
export class InputError extends Error {
  constructor(
    message: string,
    /** Every problem found, each naming where it is (e.g. `steps[3].selectors`). */
    readonly issues: string[] = [message],
  ) {
    super(issues.length > 1 ? `${message}\n  - ${issues.join('\n  - ')}` : message);
    this.name = 'InputError';
  }
}
