import type { ChangeStep } from '../../recording/types';
import { StepError } from '../errors';
import { toStepError } from '../error-mapping';
import type { LocateResult } from '../selectors';
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
 *   and fires input/change like typing would. Tried first; the kinds above are what fill() refuses.
 */

const UNCHECKED_VALUES = new Set(['false', 'off', '0', '']);

/** What fill() says of a control it cannot type into: a select, a checkbox, a radio (then we look at which). */
const NOT_FILLABLE = /is not an <input>|cannot be filled/;

export async function change(step: ChangeStep, run: StepRun): Promise<StepOutcome> {
  const found = await run.locate(step, { state: 'visible' });
  const { element } = found;
  try {
    // Text-like controls are the common case: fill first, and only a control fill refuses costs a look at its kind.
    const filled = await run.guard(element.fill(step.value, { timeout: run.remaining() })).then(
      () => true,
      (err: unknown) => {
        if (err instanceof Error && NOT_FILLABLE.test(err.message)) return false;
        throw err;
      },
    );
    if (!filled) await setChoice(step, run, element);
  } catch (err) {
    throw toStepError(err, { timeoutType: 'StepTimeout', what: `change ${found.selectorUsed}` });
  }
  return outcomeOf(found);
}

async function setChoice(step: ChangeStep, run: StepRun, element: LocateResult['element']): Promise<void> {
  const kind = await run.guard(
    element.evaluate((el) => ({
      tag: el.tagName.toLowerCase(),
      type: el instanceof HTMLInputElement ? el.type.toLowerCase() : '',
    })),
  );
  const timeout = run.remaining();
  if (kind.tag === 'select') {
    await run.guard(element.selectOption(step.value, { timeout }));
  } else if (kind.type === 'checkbox') {
    const checked = !UNCHECKED_VALUES.has(step.value.trim().toLowerCase());
    await run.guard(element.setChecked(checked, { timeout }));
  } else if (kind.type === 'radio') {
    await run.guard(element.check({ timeout }));
  } else {
    throw new StepError('InvalidStep', `change: a <${kind.tag}${kind.type ? ` type=${kind.type}` : ''}> cannot take a value`);
  }
}
