import type { ChangeStep } from '../../recording/types';
import { StepError } from '../errors';
import { isTransientError, toStepError } from '../error-mapping';
import type { StepOutcome } from '../types';
import { sleep } from '../wait';
import { pressElement } from './pointer';
import { outcomeOf, type StepRun } from './run';

/**
 * change: set a form control to the recorded value, the way Playwright's fill(), selectOption() and setChecked()
 * do, but on the element the step holds and in the page's own world (Playwright's own calls on a held handle first
 * move it into their utility world: ~20 protocol messages where this needs two; BENCHMARKS.md, P2).
 *
 * - <select>: the options whose value or label is the recorded value, then input and change events; options that
 *   are not there yet (a list the page fills later) are waited for.
 * - checkbox: unchecked for 'false', 'off', '0' or '' (case-insensitive), checked for anything else (the Recorder
 *   writes the element's value, 'on' by default, when it gets checked); radio: always checked, since a radio is
 *   unchecked only by checking another. One not in that state yet is clicked as a click step presses, and must
 *   then be in it.
 * - anything else (inputs, textarea, contenteditable): the text is selected and the value typed over it as one
 *   insertion (input events as typing fires them), or, for inputs that take no typing (date, colour, range, ...),
 *   set with input and change events.
 */

const UNCHECKED_VALUES = new Set(['false', 'off', '0', '']);
const RECHECK_MS = 50;

type Prepared =
  | { kind: 'typed' }
  | { kind: 'set' }
  /** A checkbox or radio that a click would bring to the wanted state. */
  | { kind: 'press'; control: 'checkbox' | 'radio' }
  | { kind: 'waiting'; why: 'disabled' | 'read-only' | 'missing-option' }
  | { kind: 'refused'; message: string };

/**
 * Page function, Playwright's rules: a label stands for its control; a select takes the options matching the value;
 * a typed control's text is selected and focused for the insertion that follows. No named inner functions (the
 * bundler would wrap them in a helper the page lacks).
 */
function prepareFill(el: Element, want: { value: string; checked: boolean }): Prepared {
  const { value } = want;
  let target: Element = el;
  const control =
    el instanceof HTMLInputElement ||
    el instanceof HTMLTextAreaElement ||
    el instanceof HTMLSelectElement ||
    (el as HTMLElement).isContentEditable
      ? undefined
      : el.closest('label')?.control;
  if (control) target = control;
  if (target instanceof HTMLSelectElement) {
    if (target.disabled) return { kind: 'waiting', why: 'disabled' };
    const options = Array.from(target.options);
    const matching = options.filter((o) => o.value === value || o.label === value);
    if (matching.length === 0) return { kind: 'waiting', why: 'missing-option' };
    const chosen = target.multiple ? matching : matching.slice(0, 1);
    for (const o of options) o.selected = chosen.includes(o);
    target.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
    target.dispatchEvent(new Event('change', { bubbles: true }));
    return { kind: 'set' };
  }
  if (target instanceof HTMLInputElement) {
    const type = target.type.toLowerCase();
    if (type === 'checkbox' || type === 'radio') {
      const checked = type === 'radio' || want.checked;
      return target.checked === checked ? { kind: 'set' } : { kind: 'press', control: type };
    }
    const setOnly = ['color', 'date', 'time', 'datetime-local', 'month', 'range', 'week'];
    const typed = ['', 'email', 'number', 'password', 'search', 'tel', 'text', 'url'];
    if (!setOnly.includes(type) && !typed.includes(type))
      return { kind: 'refused', message: `an <input type=${type}> cannot take a value` };
    if (target.disabled) return { kind: 'waiting', why: 'disabled' };
    if (target.readOnly) return { kind: 'waiting', why: 'read-only' };
    if (type === 'number' && Number.isNaN(Number(value.trim()))) {
      return { kind: 'refused', message: `an <input type=number> cannot take ${JSON.stringify(value)}` };
    }
    if (setOnly.includes(type)) {
      const v = value.trim();
      target.focus();
      target.value = v;
      if (target.value !== v) return { kind: 'refused', message: `an <input type=${type}> cannot take ${JSON.stringify(v)}` };
      target.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
      target.dispatchEvent(new Event('change', { bubbles: true }));
      return { kind: 'set' };
    }
    target.select();
    target.focus();
    return { kind: 'typed' };
  }
  if (target instanceof HTMLTextAreaElement) {
    if (target.disabled) return { kind: 'waiting', why: 'disabled' };
    if (target.readOnly) return { kind: 'waiting', why: 'read-only' };
    target.select();
    target.focus();
    return { kind: 'typed' };
  }
  if ((target as HTMLElement).isContentEditable) {
    const range = document.createRange();
    range.selectNodeContents(target);
    const selection = window.getSelection();
    selection?.removeAllRanges();
    selection?.addRange(range);
    (target as HTMLElement).focus();
    return { kind: 'typed' };
  }
  return { kind: 'refused', message: `a <${target.tagName.toLowerCase()}> cannot take a value` };
}

const WAITING_FOR = {
  disabled: 'the element stayed disabled',
  'read-only': 'the element stayed read-only',
  'missing-option': 'no option of the element has that value or label',
} as const;

export async function change(step: ChangeStep, run: StepRun): Promise<StepOutcome> {
  const found = await run.locate(step, { state: 'visible' });
  const { element, page } = found;
  const what = `change ${found.selectorUsed}`;
  const want = { value: step.value, checked: !UNCHECKED_VALUES.has(step.value.trim().toLowerCase()) };
  let pressed = false;
  try {
    for (;;) {
      let prepared: Prepared;
      try {
        prepared = await run.guard(element.evaluate(prepareFill, want));
      } catch (err) {
        // The press took the page elsewhere (a checkbox that submits): it was pressed, and there is no field left to check.
        if (pressed && isTransientError(err)) return outcomeOf(found);
        throw err;
      }
      switch (prepared.kind) {
        case 'typed':
          // One insertion replaces the selected text; an empty value deletes it.
          if (step.value) await run.guard(page.keyboard.insertText(step.value));
          else await run.guard(page.keyboard.press('Delete'));
          return outcomeOf(found);
        case 'set':
          return outcomeOf(found);
        case 'press':
          // Pressed once already, and still not in the state asked for: the page decides otherwise.
          if (pressed) {
            const state = prepared.control === 'radio' || want.checked ? 'checked' : 'unchecked';
            throw new StepError('AssertionFailed', `${what}: clicking the ${prepared.control} did not leave it ${state}`);
          }
          await pressElement(found, run, what, {}, { clickCount: 1 });
          pressed = true;
          break;
        case 'refused':
          throw new StepError('InvalidStep', `${what}: ${prepared.message}`);
        case 'waiting':
          // The page may enable it or add the option yet (a form that unlocks, a list that loads): wait, as a
          // person would, within the step's budget.
          if (run.deadline.expired()) {
            throw new StepError('StepTimeout', `${what}: ${WAITING_FOR[prepared.why]} (waited ${run.timeoutMs}ms)`);
          }
          await sleep(Math.min(RECHECK_MS, run.remaining()), run.signal);
          break;
        default: {
          const never: never = prepared;
          throw new Error(`unhandled fill preparation ${JSON.stringify(never)}`);
        }
      }
    }
  } catch (err) {
    throw toStepError(err, { timeoutType: 'StepTimeout', what });
  }
}
