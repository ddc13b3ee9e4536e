import type { ClickStep, DoubleClickStep, HoverStep, PointerButtonType } from '../../recording/types';
import { toStepError } from '../error-mapping';
import type { StepOutcome } from '../types';
import { outcomeOf, type StepRun } from './run';

/** Pointer steps: click, doubleClick, hover. */

type MouseButton = 'left' | 'middle' | 'right';

/** Playwright has no back/forward buttons; those clicks are replayed as primary clicks. */
const BUTTONS: Record<PointerButtonType, MouseButton> = {
  primary: 'left',
  auxiliary: 'middle',
  secondary: 'right',
  back: 'left',
  forward: 'left',
};

function clickOptions(step: ClickStep | DoubleClickStep, timeout: number) {
  return {
    button: BUTTONS[step.button ?? 'primary'] ?? 'left',
    // The recorder's offsets are relative to the element's top-left corner, like Playwright's position.
    position: { x: step.offsetX, y: step.offsetY },
    delay: step.duration,
    timeout,
  };
}

function describe(step: { type: string }, selectorUsed: string): string {
  return `${step.type} ${selectorUsed}`;
}

/** Touch/pen clicks are replayed with the mouse: tap() needs a hasTouch context, which is fixed at creation. */
export async function click(step: ClickStep, run: StepRun): Promise<StepOutcome> {
  const found = await run.locate(step, { state: 'visible' });
  try {
    await run.guard(found.locator.click(clickOptions(step, run.remaining())));
  } catch (err) {
    // Found but not clickable in time (covered, disabled, moving): the page did not get ready.
    throw toStepError(err, { timeoutType: 'StepTimeout', what: describe(step, found.selectorUsed) });
  }
  return outcomeOf(found);
}

export async function doubleClick(step: DoubleClickStep, run: StepRun): Promise<StepOutcome> {
  const found = await run.locate(step, { state: 'visible' });
  try {
    await run.guard(found.locator.dblclick(clickOptions(step, run.remaining())));
  } catch (err) {
    throw toStepError(err, { timeoutType: 'StepTimeout', what: describe(step, found.selectorUsed) });
  }
  return outcomeOf(found);
}

export async function hover(step: HoverStep, run: StepRun): Promise<StepOutcome> {
  const found = await run.locate(step, { state: 'visible' });
  try {
    await run.guard(found.locator.hover({ timeout: run.remaining() }));
  } catch (err) {
    throw toStepError(err, { timeoutType: 'StepTimeout', what: describe(step, found.selectorUsed) });
  }
  return outcomeOf(found);
}
