import type { ScrollStep } from '../../recording/types';
import { toStepError } from '../error-mapping';
import type { StepOutcome } from '../types';
import { outcomeOf, type StepRun } from './run';

/**
 * scroll: with selectors, set the element's scrollTop/scrollLeft (a scrollable container);
 * without, scroll the frame's window. Absolute positions, as recorded. The element only has
 * to be attached: scroll containers can be partly off-screen.
 */
export async function scroll(step: ScrollStep, run: StepRun): Promise<StepOutcome> {
  const x = step.x ?? 0;
  const y = step.y ?? 0;
  if (step.selectors && step.selectors.length > 0) {
    const found = await run.locate({ ...step, selectors: step.selectors }, { state: 'attached' });
    try {
      await run.guard(
        found.element.evaluate(
          (el, pos) => {
            el.scrollTop = pos.y;
            el.scrollLeft = pos.x;
          },
          { x, y },
        ),
      );
    } catch (err) {
      throw toStepError(err, { what: `scroll ${found.selectorUsed}` });
    }
    return outcomeOf(found);
  }
  const page = await run.page(step.target);
  const frame = await run.frame(page, step.frame);
  try {
    await run.guard(frame.evaluate((pos) => window.scroll(pos.x, pos.y), { x, y }));
  } catch (err) {
    throw toStepError(err, { what: 'scroll window' });
  }
  return {};
}
