import type { KeyDownStep, KeyUpStep } from '../../recording/types';
import { toStepError } from '../error-mapping';
import type { StepOutcome } from '../types';
import type { StepRun } from './run';

/**
 * keyDown/keyUp go to the page's keyboard (whatever element has focus), exactly like the
 * recorder captured them; the recorder's key names are DOM `key` values, which Playwright accepts.
 * An unknown key name surfaces as InvalidStep.
 */

export async function keyDown(step: KeyDownStep, run: StepRun): Promise<StepOutcome> {
  const page = await run.page(step.target);
  try {
    await run.guard(page.keyboard.down(step.key));
  } catch (err) {
    throw toStepError(err, { what: `keyDown ${JSON.stringify(step.key)}` });
  }
  return {};
}

export async function keyUp(step: KeyUpStep, run: StepRun): Promise<StepOutcome> {
  const page = await run.page(step.target);
  try {
    await run.guard(page.keyboard.up(step.key));
  } catch (err) {
    throw toStepError(err, { what: `keyUp ${JSON.stringify(step.key)}` });
  }
  return {};
}
