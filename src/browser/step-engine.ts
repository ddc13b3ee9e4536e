import type { Step } from '../recording/types';
import { StepError } from './errors';
import { toStepError } from './error-mapping';
import { takeNavigationBlocked } from './navigation-policy';
import type { BrowserSession } from './session';
import { assertEvents } from './steps/asserted-events';
import { change } from './steps/change';
import { customStep } from './steps/custom';
import { keyDown, keyUp } from './steps/keyboard';
import { navigate } from './steps/navigate';
import { close, emulateNetworkConditions, setViewport } from './steps/page';
import { click, doubleClick, hover } from './steps/pointer';
import { StepRun, type StepHandler, type StepHandlerMap } from './steps/run';
import { scroll } from './steps/scroll';
import { waitForElement } from './steps/wait-for-element';
import { waitForExpression } from './steps/wait-for-expression';
import type { StepContext, StepOutcome } from './types';
import { raceTimeout, throwIfAborted } from './wait';

/**
 * Runs one recorder step against a session, like @puppeteer/replay's runner: one handler per
 * step type, then the step's assertedEvents. Every failure leaves as a StepError, because what
 * happens next (another attempt, a restarted session) is decided by its type (errors.ts).
 */

/** Typed as StepHandlerMap, so a Step type without a handler is a compile error. */
export const STEP_HANDLERS: StepHandlerMap = {
  setViewport,
  navigate,
  click,
  doubleClick,
  hover,
  change,
  keyDown,
  keyUp,
  scroll,
  close,
  emulateNetworkConditions,
  waitForElement,
  waitForExpression,
  customStep,
};

/**
 * Extra time past the step budget before the watchdog fires. Handlers pass the remaining
 * budget to every Playwright call, so they normally fail on their own first, with a better
 * message; the watchdog only catches calls that have no timeout (evaluate, keyboard).
 */
const WATCHDOG_GRACE_MS = 2_000;

/**
 * The step budget is ctx.timeoutMs as given (the caller resolves step.timeout / flow.timeout).
 * Cancellation via ctx.signal rejects promptly with a StepError whose `cause` is the abort reason.
 */
export async function executeStep(session: BrowserSession, step: Step, ctx: StepContext): Promise<StepOutcome> {
  try {
    throwIfAborted(ctx.signal);
    if (!session.isOpen) throw new StepError('SessionLost', session.endedBecause!);
    // Recordings come from JSON; a type the schema let through but we do not know is the recording's fault.
    const handler = (STEP_HANDLERS as Record<string, StepHandler<Step> | undefined>)[step?.type];
    if (!handler) throw new StepError('InvalidStep', `unknown step type "${String(step?.type)}"`);

    const run = new StepRun(session, ctx.timeoutMs, ctx.signal);
    const work = (async () => {
      try {
        const outcome = await handler(step, run);
        await assertEvents(step, run);
        // A request the navigation policy refused while the step ran fails it, even if the page carried on.
        const blocked = await takeNavigationBlocked(session.context);
        if (blocked) throw blocked;
        return outcome;
      } finally {
        run.release();
      }
    })();
    return await raceTimeout(
      work,
      ctx.timeoutMs + WATCHDOG_GRACE_MS,
      () => new StepError('StepTimeout', `${step.type}: step did not finish within ${ctx.timeoutMs}ms`),
      ctx.signal,
    );
  } catch (err) {
    // After a crash Playwright fails in many creative ways; the session state is the truth.
    if (!session.isOpen && !(err instanceof StepError && err.type === 'SessionLost')) {
      const lost = new StepError('SessionLost', `${step?.type}: ${session.endedBecause}`);
      (lost as Error).cause = err;
      throw lost;
    }
    // A refused request explains the failure better than what it caused (a network error, a missing element).
    const blocked = await takeNavigationBlocked(session.context, err);
    if (blocked) throw blocked;
    throw toStepError(err, { what: step?.type });
  }
}
