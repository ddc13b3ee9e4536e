import type { ChangeStep } from '../../recording/types';
import { StepError } from '../errors';
import { toStepError } from '../error-mapping';
import type { LocateResult } from '../selectors';
import type { StepOutcome } from '../types';
import { sleep } from '../wait';
import { outcomeOf, type StepRun } from './run';

/**
 * change: set a form control to the recorded value.
 *
 * - <select>: selectOption(value) (Playwright matches the option value or label).
 * - checkbox: unchecked for 'false', 'off', '0' or '' (case-insensitive), checked for anything
 *   else — the recorder writes the element's value ('on' by default) when it gets checked.
 * - radio: always checked; a radio cannot be unchecked directly, only by checking another one.
 * - anything else (inputs, textarea, contenteditable): what Playwright's fill() does, done on the element the
 *   step holds, in the page's own world: the text is selected and the value typed over it as one insertion
 *   (input events as typing fires them), or, for inputs that take no typing (date, colour, range, ...), set with
 *   input and change events. Playwright's own fill() on a held handle first moves it into its utility world, twice:
 *   ~20 protocol messages where this needs two (BENCHMARKS.md, P2).
 */

const UNCHECKED_VALUES = new Set(['false', 'off', '0', '']);
const RECHECK_MS = 50;

type Prepared =
  | { kind: 'typed' }
  | { kind: 'set' }
  | { kind: 'choice'; control: 'select' | 'checkbox' | 'radio' }
  | { kind: 'not-editable'; why: 'disabled' | 'read-only' }
  | { kind: 'refused'; message: string };

/**
 * Page function, Playwright's fill() rules: a label stands for its control; the text of a typed control is
 * selected and focused for the insertion that follows. No named inner functions (the bundler would wrap them in a
 * helper the page lacks).
 */
function prepareFill(el: Element, value: string): Prepared {
  let target: Element = el;
  const control =
    el instanceof HTMLInputElement ||
    el instanceof HTMLTextAreaElement ||
    el instanceof HTMLSelectElement ||
    (el as HTMLElement).isContentEditable
      ? undefined
      : el.closest('label')?.control;
  if (control) target = control;
  if (target instanceof HTMLSelectElement) return { kind: 'choice', control: 'select' };
  if (target instanceof HTMLInputElement) {
    const type = target.type.toLowerCase();
    if (type === 'checkbox' || type === 'radio') return { kind: 'choice', control: type };
    const setOnly = ['color', 'date', 'time', 'datetime-local', 'month', 'range', 'week'];
    const typed = ['', 'email', 'number', 'password', 'search', 'tel', 'text', 'url'];
    if (!setOnly.includes(type) && !typed.includes(type))
      return { kind: 'refused', message: `an <input type=${type}> cannot take a value` };
    if (target.disabled) return { kind: 'not-editable', why: 'disabled' };
    if (target.readOnly) return { kind: 'not-editable', why: 'read-only' };
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
    if (target.disabled) return { kind: 'not-editable', why: 'disabled' };
    if (target.readOnly) return { kind: 'not-editable', why: 'read-only' };
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

export async function change(step: ChangeStep, run: StepRun): Promise<StepOutcome> {
  const found = await run.locate(step, { state: 'visible' });
  const { element, page } = found;
  const what = `change ${found.selectorUsed}`;
  try {
    for (;;) {
      const prepared = await run.guard(element.evaluate(prepareFill, step.value));
      switch (prepared.kind) {
        case 'typed':
          // One insertion replaces the selected text; an empty value deletes it.
          if (step.value) await run.guard(page.keyboard.insertText(step.value));
          else await run.guard(page.keyboard.press('Delete'));
          return outcomeOf(found);
        case 'set':
          return outcomeOf(found);
        case 'choice':
          await setChoice(step, run, element, prepared.control);
          return outcomeOf(found);
        case 'refused':
          throw new StepError('InvalidStep', `${what}: ${prepared.message}`);
        case 'not-editable':
          // The page may enable it yet (a form that unlocks): wait, as a person would, within the step's budget.
          if (run.deadline.expired()) {
            throw new StepError('StepTimeout', `${what}: the element stayed ${prepared.why} for ${run.timeoutMs}ms`);
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

async function setChoice(
  step: ChangeStep,
  run: StepRun,
  element: LocateResult['element'],
  control: 'select' | 'checkbox' | 'radio',
): Promise<void> {
  const timeout = run.remaining();
  switch (control) {
    case 'select':
      await run.guard(element.selectOption(step.value, { timeout }));
      return;
    case 'checkbox':
      await run.guard(element.setChecked(!UNCHECKED_VALUES.has(step.value.trim().toLowerCase()), { timeout }));
      return;
    case 'radio':
      await run.guard(element.check({ timeout }));
      return;
  }
}
