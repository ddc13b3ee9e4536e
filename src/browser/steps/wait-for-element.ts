import type { Locator } from 'playwright';
import type { WaitForElementOperator, WaitForElementStep } from '../../recording/types';
import { StepError } from '../errors';
import { isClosedError, toStepError } from '../error-mapping';
import { describeSelector, selectorToLocator } from '../selectors';
import type { StepOutcome } from '../types';
import type { StepRun } from './run';

/**
 * waitForElement: poll until the number of matching elements satisfies `operator count` (default `>= 1`,
 * as in @puppeteer/replay). Only elements passing every filter are counted: `properties` (deep partial
 * match on the element's JS properties, as @puppeteer/replay does), `attributes` (exact string match) and,
 * with `visible` set, visibility. `visible: false` inverts the step (the format's definition): it waits
 * until the visible elements no longer satisfy the condition, i.e. until they are hidden or gone.
 * Alternatives are evaluated independently; the step passes as soon as any one of them satisfies it.
 * Running out of time is AssertionFailed: the page answered, with something else than the recording expects.
 */

/** The longest wait between two looks when the DOM does not change. */
const POLL_MS = 100;

interface Observation {
  /** Elements the selector matches, before visibility/property/attribute filters. */
  total: number;
  /** Elements that also pass the filters: the number compared against `count`. */
  counted: number;
}

function compare(actual: number, operator: WaitForElementOperator, expected: number): boolean {
  switch (operator) {
    case '==':
      return actual === expected;
    case '>=':
      return actual >= expected;
    case '<=':
      return actual <= expected;
  }
}

/**
 * Counts elements whose properties/attributes match. It runs in the page, serialized with toString(), so
 * it must not contain named inner functions: tsx/esbuild wraps those in `__name(...)`, which the page
 * lacks. Hence the explicit stack instead of a recursive helper.
 * The match rule is @puppeteer/replay's: every field of `expected` must match, extra fields are ignored.
 */
function countMatching(elements: Element[], spec: { properties?: Record<string, unknown>; attributes?: Record<string, string> }): number {
  return elements.filter((el) => {
    const pending: Array<[unknown, unknown]> = spec.properties ? [[spec.properties, el]] : [];
    while (pending.length > 0) {
      const [expected, actual] = pending.pop()!;
      if (expected === actual) continue;
      if ((expected && !actual) || (!expected && actual)) return false;
      if (!(expected instanceof Object) || !(actual instanceof Object)) return false;
      for (const field in expected) {
        pending.push([(expected as Record<string, unknown>)[field], (actual as Record<string, unknown>)[field]]);
      }
    }
    for (const [name, value] of Object.entries(spec.attributes ?? {})) {
      if (el.getAttribute(name) !== value) return false;
    }
    return true;
  }).length;
}

function describeExpectation(step: WaitForElementStep, operator: WaitForElementOperator, count: number): string {
  if (step.visible === false) return `expected NOT ${operator} ${count} visible element(s) matching ${step.selectors.map(describeSelector).join(' or ')}`;
  const selectors = step.selectors.map(describeSelector).join(' or ');
  const filters: string[] = [];
  if (step.visible === true) filters.push('visible');
  for (const [k, v] of Object.entries(step.properties ?? {})) filters.push(`${k} ${JSON.stringify(v)}`);
  for (const [k, v] of Object.entries(step.attributes ?? {})) filters.push(`attribute ${k}=${JSON.stringify(v)}`);
  const suffix = filters.length ? ` with ${filters.join(', ')}` : '';
  return `expected ${operator} ${count} element(s) matching ${selectors}${suffix}`;
}

function describeObserved(step: WaitForElementStep, last: Array<Observation | undefined>): string {
  const filtered = step.visible !== undefined || step.properties !== undefined || step.attributes !== undefined;
  const one = (o: Observation | undefined) =>
    !o ? 'unknown' : filtered && o.total !== o.counted ? `${o.counted} (${o.total} before filters)` : `${o.counted}`;
  if (last.length === 1) return `found ${one(last[0])}`;
  return `found ${step.selectors.map((s, i) => `${describeSelector(s)}: ${one(last[i])}`).join(', ')}`;
}

export async function waitForElement(step: WaitForElementStep, run: StepRun): Promise<StepOutcome> {
  if (!step.selectors || step.selectors.length === 0) throw new StepError('InvalidStep', 'waitForElement has no selectors');
  const operator = step.operator ?? '>=';
  const inverted = step.visible === false;
  const count = step.count ?? 1;
  const page = await run.page(step.target);
  const frame = await run.frame(page, step.frame);
  const spec = { properties: step.properties, attributes: step.attributes };
  const candidates = step.selectors.map((selector) => {
    const all = selectorToLocator(frame, selector);
    let counted: Locator = all;
    if (step.visible !== undefined) counted = all.filter({ visible: true });
    return { selector, all, counted };
  });

  const last: Array<Observation | undefined> = candidates.map(() => undefined);
  for (;;) {
    const lookedAt = Date.now();
    const observed = await run
      .guard(
        Promise.all(
          candidates.map(async (c): Promise<Observation | undefined> => {
            try {
              const total = await c.all.count();
              const counted = total === 0 ? 0 : await c.counted.evaluateAll(countMatching, spec);
              return { total, counted };
            } catch (err) {
              // Mid-navigation or detached frame: no observation this round, try again.
              if (isClosedError(err)) throw err;
              return undefined;
            }
          }),
        ),
      )
      .catch((err) => {
        throw toStepError(err, { what: 'waitForElement' });
      });
    observed.forEach((o, i) => {
      if (!o) return;
      last[i] = o;
    });
    const hit = observed.findIndex((o) => o !== undefined && compare(o.counted, operator, count) !== inverted);
    if (hit >= 0) return { selectorUsed: describeSelector(step.selectors[hit]), healed: hit > 0 };
    if (run.deadline.expired()) break;
    await run.pageChange(frame, POLL_MS, lookedAt);
  }

  const message = `waitForElement: ${describeExpectation(step, operator, count)}, ${describeObserved(step, last)} after ${run.timeoutMs}ms`;
  throw new StepError('AssertionFailed', message);
}
