import type { NavigateStep } from '../../recording/types';
import { StepError } from '../errors';
import { isClosedError, isTimeoutError, shortMessage, toStepError } from '../error-mapping';
import { assertNavigationAllowed } from '../navigation-policy';
import type { StepOutcome } from '../types';
import type { StepRun } from './run';

/**
 * navigate: page.goto and wait for the load event. A page that never finishes loading is a
 * StepTimeout; anything else the navigation itself rejects (DNS, refused connection, aborted,
 * interrupted) is a NavigationError, which is worth retrying unlike a bad selector.
 */
export async function navigate(step: NavigateStep, run: StepRun): Promise<StepOutcome> {
  const page = await run.page(step.target);
  // page.goto is browser-initiated: Chromium would open a file: or chrome: URL for it that no page could.
  assertNavigationAllowed(page, step.url);
  try {
    await run.guard(page.goto(step.url, { timeout: run.remaining(), waitUntil: 'load' }));
  } catch (err) {
    if (err instanceof StepError) throw err;
    if (isClosedError(err)) throw toStepError(err, { what: `navigate ${step.url}` });
    if (isTimeoutError(err)) {
      throw new StepError('StepTimeout', `navigate ${step.url}: page did not finish loading within ${run.timeoutMs}ms`);
    }
    if (/invalid URL/i.test(shortMessage(err))) throw toStepError(err, { what: `navigate ${step.url}` });
    throw new StepError('NavigationError', `navigate ${step.url}: ${shortMessage(err)}`);
  }
  return {};
}
