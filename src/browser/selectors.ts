import type { ElementHandle, Frame, Locator } from 'playwright';
import type { Selector } from '../recording/types';
import { StepError } from './errors';
import { isClosedError, isTimeoutError, isTransientError, shortMessage, toStepError } from './error-mapping';
import type { StepContext } from './types';
import { Deadline, raceAbort, throwIfAborted } from './wait';

/**
 * Recorder selectors → Playwright locators.
 *
 * A recorded step carries several alternative selectors (css, aria, xpath, pierce, text); the
 * first that matches wins, and a later one matching means the page drifted from the recording
 * ("healed"). A single alternative may also be an array: a path whose parts each descend into the
 * element found by the previous part (through shadow roots).
 */

export type SelectorKind = 'css' | 'aria' | 'xpath' | 'pierce' | 'text';

export interface ParsedSelectorPart {
  kind: SelectorKind;
  value: string;
  /** aria only: the role from `aria/Name[role="button"]`. */
  role?: string;
}

/** Roles tried for `aria/Name` without an explicit role: the ones that commonly carry an accessible name. */
export const ARIA_NAME_ROLES = [
  'button',
  'link',
  'textbox',
  'checkbox',
  'radio',
  'combobox',
  'listbox',
  'option',
  'heading',
  'img',
  'listitem',
  'menuitem',
  'tab',
  'searchbox',
  'spinbutton',
  'switch',
  'slider',
] as const;

type AriaRole = Parameters<Frame['getByRole']>[0];

/** Anything we can search under: a frame (top level) or a located element (path parts). */
type LocatorRoot = Pick<Frame, 'locator' | 'getByRole' | 'getByText' | 'getByLabel'>;

const PREFIXES: Array<[string, SelectorKind]> = [
  ['aria/', 'aria'],
  ['xpath/', 'xpath'],
  ['pierce/', 'pierce'],
  ['text/', 'text'],
];

/** Trailing `[attr="value"]` groups of puppeteer's aria syntax, e.g. `aria/Save[role="button"]`. */
const ARIA_ATTR = /\[\s*(name|role)\s*=\s*"((?:[^"\\]|\\.)*)"\s*\]\s*$/;

export function parseSelectorPart(part: string): ParsedSelectorPart {
  const trimmed = part.trim();
  for (const [prefix, kind] of PREFIXES) {
    if (!trimmed.startsWith(prefix)) continue;
    const value = trimmed.slice(prefix.length);
    if (kind !== 'aria') return { kind, value };
    let name = value;
    let role: string | undefined;
    let explicitName: string | undefined;
    for (let m = ARIA_ATTR.exec(name); m; m = ARIA_ATTR.exec(name)) {
      const attrValue = m[2].replace(/\\(.)/g, '$1');
      if (m[1] === 'role') role = attrValue;
      else explicitName = attrValue;
      name = name.slice(0, m.index);
    }
    return { kind, value: (explicitName ?? name).trim(), role };
  }
  return { kind: 'css', value: trimmed };
}

/** Human/report form of an alternative: path parts joined the way Playwright chains do. */
export function describeSelector(selector: Selector): string {
  return Array.isArray(selector) ? selector.join(' >> ') : selector;
}

function partLocator(root: LocatorRoot, part: string): Locator {
  const parsed = parseSelectorPart(part);
  switch (parsed.kind) {
    case 'css':
    case 'pierce':
      // Playwright's CSS engine already pierces open shadow roots, which is what pierce/ asks for.
      return root.locator(parsed.value);
    case 'xpath':
      return root.locator(`xpath=${parsed.value}`);
    case 'text':
      return root.getByText(parsed.value);
    case 'aria': {
      const name = parsed.value;
      if (parsed.role) return root.getByRole(parsed.role as AriaRole, { name, exact: true });
      // Without a role the recorder only promises "some element with this accessible name",
      // so union the usual named roles plus label association.
      let combined = root.getByLabel(name, { exact: true });
      for (const role of ARIA_NAME_ROLES) combined = combined.or(root.getByRole(role, { name, exact: true }));
      return combined;
    }
  }
}

/** One alternative → a locator inside `frame` (paths chain each part under the previous element). */
export function selectorToLocator(frame: Frame, selector: Selector): Locator {
  const parts = (Array.isArray(selector) ? selector : [selector]).filter((p) => p.trim() !== '');
  if (parts.length === 0) throw new StepError('InvalidStep', 'empty selector');
  let locator = partLocator(frame, parts[0]);
  for (const part of parts.slice(1)) locator = partLocator(locator, part);
  return locator;
}

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
  try {
    const candidates = selectors.map((selector, index) => {
      const base = selectorToLocator(frame, selector);
      return { selector, index, valid: true, locator: state === 'visible' ? base.filter({ visible: true }) : base };
    });
    const firstPresent = async () => {
      for (const c of candidates) {
        if (!c.valid) continue;
        let handles: ElementHandle<Element>[];
        try {
          handles = (await raceAbort(c.locator.elementHandles(), ctx.signal)) as ElementHandle<Element>[];
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
        return { element: hit.element, locator: hit.locator.first(), selectorUsed: describeSelector(hit.selector), healed: hit.index > 0, index: hit.index };
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
