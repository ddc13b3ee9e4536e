import type { ElementHandle, Page } from 'playwright';
import type { ClickStep, DoubleClickStep, HoverStep } from '../../recording/types';
import { StepError } from '../errors';
import { toStepError } from '../error-mapping';
import type { StepOutcome } from '../types';
import { pressAt, type Press } from './pointer-input';
import { pressPoint, takePressMissed, type Offset } from './press-point';
import { outcomeOf, type StepRun } from './run';

/** Pointer steps: click, doubleClick, hover. Where to press: press-point.ts; how: pointer-input.ts. */

function describe(step: { type: string }, selectorUsed: string): string {
  return `${step.type} ${selectorUsed}`;
}

/**
 * Presses the located element where press-point.ts says, with the given device and button; pressed again while
 * the page moves the element away from the point just measured.
 */
export async function pressElement(
  found: { element: ElementHandle<Element>; page: Page },
  run: StepRun,
  what: string,
  offset: Offset,
  press: Press,
): Promise<void> {
  for (;;) {
    let missed = false;
    try {
      const at = await pressPoint(found.element, found.page, run, offset, what, { guard: true });
      await run.guard(pressAt(run.session, found.page, at, press, run.signal));
    } catch (err) {
      if (err instanceof StepError) throw err;
      throw toStepError(err, { timeoutType: 'StepTimeout', what });
    } finally {
      missed = await takePressMissed(found.element);
    }
    if (!missed) return;
    if (run.deadline.expired()) {
      throw new StepError('StepTimeout', `${what}: the element kept moving away from the point pressed within ${run.timeoutMs}ms`);
    }
  }
}

async function press(step: ClickStep | DoubleClickStep, run: StepRun, clickCount: 1 | 2): Promise<StepOutcome> {
  const found = await run.locate(step, { state: 'visible' });
  const { button, deviceType, duration } = step;
  await pressElement(found, run, describe(step, found.selectorUsed), step, { button, deviceType, duration, clickCount });
  return outcomeOf(found);
}

export function click(step: ClickStep, run: StepRun): Promise<StepOutcome> {
  return press(step, run, 1);
}

export function doubleClick(step: DoubleClickStep, run: StepRun): Promise<StepOutcome> {
  return press(step, run, 2);
}

export async function hover(step: HoverStep, run: StepRun): Promise<StepOutcome> {
  const found = await run.locate(step, { state: 'visible' });
  const what = describe(step, found.selectorUsed);
  const at = await pressPoint(found.element, found.page, run, {}, what, { guard: false });
  try {
    await run.guard(found.page.mouse.move(at.x, at.y));
  } catch (err) {
    throw toStepError(err, { timeoutType: 'StepTimeout', what });
  }
  return outcomeOf(found);
}
