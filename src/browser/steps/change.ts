import type { ChangeStep } from '../../recording/types';
import { toStepError } from '../error-mapping';
import type { StepOutcome } from '../types';
import { outcomeOf, type StepRun } from './run';

/**
 * change: set a form control to the recorded value.
 *
 * - <select>: selectOption(value) (Playwright matches the option value or label).
 * - checkbox: unchecked for 'false', 'off', '0' or '' (case-insensitive), checked for anything
 *   else — the recorder writes the element's value ('on' by default) when it gets checked.
 * - radio: always checked; a radio cannot be unchecked directly, only by checking another one.
 * - anything else (inputs, textarea, contenteditable): fill(value), which replaces the content
 *   and fires input/change like typing would.
 */

const UNCHECKED_VALUES = new Set(['false', 'off', '0', '']);

export async function change(step: ChangeStep, run: StepRun): Promise<StepOutcome> {
  const found = await run.locate(step, { state: 'visible' });
  const { locator } = found;
  try {
    const kind = await run.guard(
      locator.evaluate((el) => ({
        tag: el.tagName.toLowerCase(),
        type: el instanceof HTMLInputElement ? el.type.toLowerCase() : '',
      })),
    );
    const timeout = run.remaining();
    if (kind.tag === 'select') {
      await run.guard(locator.selectOption(step.value, { timeout }));
    } else if (kind.type === 'checkbox') {
      const checked = !UNCHECKED_VALUES.has(step.value.trim().toLowerCase());
      await run.guard(locator.setChecked(checked, { timeout }));
    } else if (kind.type === 'radio') {
      await run.guard(locator.check({ timeout }));
    } else {
      await run.guard(locator.fill(step.value, { timeout }));
    }
  } catch (err) {
    throw toStepError(err, { timeoutType: 'StepTimeout', what: `change ${found.selectorUsed}` });
  }
  return outcomeOf(found);
}
