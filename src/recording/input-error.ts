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
    // A lone issue goes on the same line, so callers that print only `.message` still see it.
    super(
      issues.length > 1
        ? `${message}\n  - ${issues.join('\n  - ')}`
        : issues.length === 1 && issues[0] !== message
          ? `${message}: ${issues[0]}`
          : message,
    );
    this.name = 'InputError';
  }
}
