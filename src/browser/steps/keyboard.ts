import type { KeyDownStep, KeyUpStep } from '../../recording/types';
import { toStepError } from '../error-mapping';
import type { StepOutcome } from '../types';
import type { StepRun } from './run';

/**
 * keyDown/keyUp go to the page's keyboard (whatever element has focus), exactly like the
 * recorder captured them; the recorder's key names are DOM `key` values, which Playwright accepts.
 * An unknown key name surfaces as InvalidStep.
 */
async function pressKeyEdge(step: KeyDownStep | KeyUpStep, run: StepRun): Promise<StepOutcome> {
  const page = await run.page(step.target);
  try {
    await run.guard(step.type === 'keyDown' ? page.keyboard.down(step.key) : page.keyboard.up(step.key));
  } catch (err) {
    throw toStepError(err, { what: `${step.type} ${JSON.stringify(step.key)}` });
  }
  return {};
}

export const keyDown = (step: KeyDownStep, run: StepRun): Promise<StepOutcome> => pressKeyEdge(step, run);
export const keyUp = (step: KeyUpStep, run: StepRun): Promise<StepOutcome> => pressKeyEdge(step, run);
