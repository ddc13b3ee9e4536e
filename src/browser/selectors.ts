import type { Frame, Locator } from 'playwright';
import type { Selector } from '../recording/types';
import { StepError } from './errors';
import { inMainWorld } from './main-world';

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

export type AriaRole = Parameters<Frame['getByRole']>[0];

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

/**
 * One alternative → a locator inside `frame` (paths chain each part under the previous element), queried in the
 * page's main world, where the elements it finds are held (main-world.ts).
 */
export function selectorToLocator(frame: Frame, selector: Selector): Locator {
  const parts = (Array.isArray(selector) ? selector : [selector]).filter((p) => p.trim() !== '');
  if (parts.length === 0) throw new StepError('InvalidStep', 'empty selector');
  let locator = partLocator(frame, parts[0]);
  for (const part of parts.slice(1)) locator = partLocator(locator, part);
  return inMainWorld(locator);
}
