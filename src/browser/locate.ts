import type { ElementHandle, Frame, Locator } from 'playwright';
import type { Selector } from '../recording/types';
import { guessRole, ROLE_HINTS } from './aria-role-guess';
import { StepError } from './errors';
import { inMainWorld } from './main-world';
import { isClosedError, isTimeoutError, isTransientError, shortMessage, toStepError } from './error-mapping';
import { ARIA_NAME_ROLES, describeSelector, parseSelectorPart, selectorToLocator, type AriaRole } from './selectors';
import type { StepContext } from './types';
import { Deadline, raceAbort, throwIfAborted } from './wait';

export interface LocateOptions {
  /** 'visible' for elements we interact with, 'attached' for ones we only read or scroll. */
  state?: 'attached' | 'visible';
}

export interface LocateResult {
  /**
   * The element found, held: acting on it does not run the alternative's query again (an aria/ selector
   * without a role is a union of many role queries, the costliest part of a step). An element the page
   * replaces before the action fails as "not attached", which is transient (the step is tried again).
   */
  element: ElementHandle<Element>;
  /** First matching element of the winning alternative, for calls that must wait on the query itself. */
  locator: Locator;
  selectorUsed: string;
  healed: boolean;
  index: number;
}

function notFound(selectors: Selector[], timeoutMs: number, state: string, invalid: string[]): StepError {
  const tried = selectors.map((s) => JSON.stringify(describeSelector(s))).join(', ');
  const extra = invalid.length ? ` (invalid: ${invalid.join('; ')})` : '';
  return new StepError('ElementNotFound', `no ${state} element matched any of [${tried}] within ${timeoutMs}ms${extra}`);
}

interface Candidate {
  selector: Selector;
  index: number;
  valid: boolean;
  /** The alternative's elements, whatever their state. */
  base: Locator;
  /** ... in the state the step needs. */
  locator: Locator;
  /** A role-less aria/ alternative's name: asked as one role query when its role is known (aria-role-guess.ts). */
  ariaName?: string;
  /** One CSS, XPath or pierce part: its element's role tells an aria/ alternative which role query to ask. */
  sibling: boolean;
}

/**
 * Finds the first alternative, in the recording's order, that has an element now: alternatives are counted
 * one after another and counting stops at the first present, so the common case (the first alternative
 * still matches) costs one query, and a stale first alternative one more, never a timeout. The element
 * found is held (LocateResult.element), so the step's action does not query again. When none is
 * present yet, all of them are awaited at once through locator.or(), and counted again when something
 * appears. A malformed alternative is left out (it would poison the union) and reported if nothing matches.
 */
export async function locateFirst(frame: Frame, selectors: Selector[], ctx: StepContext, opts: LocateOptions = {}): Promise<LocateResult> {
  const state = opts.state ?? 'visible';
  if (!selectors || selectors.length === 0) throw new StepError('InvalidStep', 'step has no selectors');
  throwIfAborted(ctx.signal);
  const deadline = new Deadline(ctx.timeoutMs);
  const invalid: string[] = [];
  const inState = (locator: Locator) => (state === 'visible' ? locator.filter({ visible: true }) : locator);
  try {
    const candidates: Candidate[] = selectors.map((selector, index) => {
      const base = selectorToLocator(frame, selector);
      const parts = (Array.isArray(selector) ? selector : [selector]).filter((p) => p.trim() !== '');
      const only = parts.length === 1 ? parseSelectorPart(parts[0]) : undefined;
      return {
        selector,
        index,
        valid: true,
        base,
        locator: inState(base),
        ariaName: only?.kind === 'aria' && !only.role ? only.value : undefined,
        sibling: only !== undefined && only.kind !== 'aria' && only.kind !== 'text',
      };
    });

    /** A role-less aria/ alternative asked as the one role query its element has, when that role is known. */
    const byKnownRole = async (name: string): Promise<ElementHandle<Element>[] | undefined> => {
      const url = frame.url();
      let role = ROLE_HINTS.get(url, name);
      if (role === undefined) {
        const sibling = candidates.find((c) => c.valid && c.sibling);
        // A malformed sibling is reported in its own turn; here it only tells nothing.
        role = sibling && (await raceAbort(sibling.base.evaluateAll(guessRole, ARIA_NAME_ROLES), ctx.signal).catch(() => ''));
        if (!role) return undefined;
      }
      const byRole = inMainWorld(frame.getByRole(role as AriaRole, { name, exact: true }));
      const found = await raceAbort(inState(byRole).elementHandles(), ctx.signal);
      if (found.length === 0) return undefined;
      ROLE_HINTS.set(url, name, role);
      return found as ElementHandle<Element>[];
    };
    /** After the full union found it: what role it has, for the next look. */
    const learnRole = async (name: string, element: ElementHandle<Element>) => {
      const role = await element.evaluate(guessRole, ARIA_NAME_ROLES).catch(() => '');
      if (role) ROLE_HINTS.set(frame.url(), name, role);
      else ROLE_HINTS.delete(frame.url(), name);
    };

    const firstPresent = async () => {
      for (const c of candidates) {
        if (!c.valid) continue;
        let handles: ElementHandle<Element>[];
        try {
          const narrowed = c.ariaName !== undefined ? await byKnownRole(c.ariaName) : undefined;
          handles = narrowed ?? ((await raceAbort(c.locator.elementHandles(), ctx.signal)) as ElementHandle<Element>[]);
          if (!narrowed && c.ariaName !== undefined && handles.length > 0) await learnRole(c.ariaName, handles[0]);
        } catch (err) {
          if (err instanceof StepError || isClosedError(err)) throw err;
          // Mid-navigation: not present yet, but the selector itself is fine.
          if (isTransientError(err) || isTimeoutError(err)) continue;
          c.valid = false;
          invalid.push(`${describeSelector(c.selector)}: ${shortMessage(err)}`);
          continue;
        }
        if (handles.length === 0) continue;
        for (const extra of handles.slice(1)) void extra.dispose().catch(() => undefined);
        return { ...c, element: handles[0] };
      }
      return undefined;
    };

    for (;;) {
      const hit = await firstPresent();
      if (hit) {
        return {
          element: hit.element,
          locator: hit.locator.first(),
          selectorUsed: describeSelector(hit.selector),
          healed: hit.index > 0,
          index: hit.index,
        };
      }
      const valid = candidates.filter((c) => c.valid);
      if (valid.length === 0) throw new StepError('InvalidStep', `no valid selector: ${invalid.join('; ')}`);
      if (deadline.expired()) throw notFound(selectors, ctx.timeoutMs, state, invalid);
      const union = valid.slice(1).reduce((acc, c) => acc.or(c.locator), valid[0].locator);
      // Something appeared (or the budget ran out): count again to find out which alternative it was.
      await raceAbort(union.first().waitFor({ state: 'attached', timeout: deadline.remaining() }), ctx.signal);
    }
  } catch (err) {
    if (isTimeoutError(err)) throw notFound(selectors, ctx.timeoutMs, state, invalid);
    throw toStepError(err, { timeoutType: 'ElementNotFound' });
  }
}
