import type { WaitForExpressionStep } from '../../recording/types';
import { StepError } from '../errors';
import { isClosedError, shortMessage, toStepError } from '../error-mapping';
import type { StepOutcome } from '../types';
import { raceTimeout } from '../wait';
import type { StepRun } from './run';

/**
 * waitForExpression: poll a JavaScript expression in the step's frame until it is truthy.
 *
 * The expression may evaluate to a promise, which is awaited. Truthiness is computed in the page
 * (`!!`) because Playwright returns undefined for unserialisable results such as DOM nodes, which
 * would make `document.querySelector(...)` look falsy. Each evaluation is raced against the
 * remaining budget so a never-settling promise cannot hang the step.
 */

/** The longest wait between two evaluations when the DOM does not change. */
const POLL_MS = 100;

/**
 * Evaluated as a string through CDP, which is not subject to the page's CSP (unlike eval()).
 * Newlines keep a trailing `// comment` in the expression from swallowing the closing parens.
 */
function wrap(expression: string): string {
  return `(async () => !!(await (\n${expression}\n)))()`;
}

class EvaluationTimeout extends Error {}

export async function waitForExpression(step: WaitForExpressionStep, run: StepRun): Promise<StepOutcome> {
  const page = await run.page(step.target);
  const frame = await run.frame(page, step.frame);
  const source = wrap(step.expression);
  let lastProblem = 'it stayed falsy';
  let settled = false;

  for (;;) {
    const lookedAt = Date.now();
    try {
      const value = await raceTimeout(
        frame.evaluate(source) as Promise<boolean>,
        run.remaining(),
        () => new EvaluationTimeout(),
        run.signal,
      );
      if (value) return {};
      settled = true;
      lastProblem = 'it stayed falsy';
    } catch (err) {
      if (err instanceof EvaluationTimeout) {
        // The budget ran out during this look: that is news only if no look ever settled.
        if (!settled) lastProblem = 'its promise never settled';
      } else if (err instanceof StepError) {
        throw err; // cancellation
      } else if (isClosedError(err)) {
        throw toStepError(err, { what: 'waitForExpression' });
      } else if (/SyntaxError/.test(shortMessage(err))) {
        // Will never succeed, no point waiting out the budget.
        throw new StepError(
          'InvalidStep',
          `waitForExpression: ${JSON.stringify(step.expression)} is not valid JavaScript: ${shortMessage(err)}`,
        );
      } else {
        // A throwing expression (e.g. a global not defined yet) counts as falsy, like waitForFunction.
        settled = true;
        lastProblem = `it threw: ${shortMessage(err)}`;
      }
    }
    if (run.deadline.expired()) break;
    await run.pageChange(frame, POLL_MS, lookedAt);
  }
  // The page never reached the state the recording waits for: an answer, not a hiccup, so it is not retried.
  throw new StepError(
    'AssertionFailed',
    `waitForExpression: ${JSON.stringify(step.expression)} was not truthy within ${run.timeoutMs}ms (${lastProblem})`,
  );
}
