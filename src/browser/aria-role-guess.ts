/**
 * A role-less `aria/Name` alternative (the Recorder's first, on almost every step) is, in Playwright, a union of a
 * label query and one role query per named role: each walks the whole document computing roles again, and the
 * union was most of the step engine's cost on ordinary pages (BENCHMARKS.md, P2). The Recorder writes every
 * alternative of a step for the same element, so a later CSS, XPath or pierce alternative usually names it
 * too: its role, read from the element in one round trip, narrows the union to the one role query that can find
 * it. What that query finds is Playwright's own answer for that role and name; when it finds nothing (a guess
 * that does not fit, a page that changed) the full union runs as before.
 *
 * The one difference from the full union: on a page where another element of a different role carries the same
 * name before this one, the union's first match is that other element; the narrowed query finds the element the
 * step's other alternatives name, which is the one the Recorder recorded.
 */
/**
 * Page function: the role of `els` (its first element, for a list) when it is one of `roles` by its tag, type or role
 * attribute; else ''. No named inner functions (the bundler would wrap them in a helper the page lacks).
 */
export function guessRole(els: Element | Element[], roles: readonly string[]): string {
  const el = Array.isArray(els) ? els[0] : els;
  if (!el) return '';
  const explicit = (el.getAttribute('role') ?? '').trim().split(/\s+/)[0];
  let role = '';
  if (explicit) role = explicit.toLowerCase();
  else {
    const tag = el.localName;
    const type = (el.getAttribute('type') ?? '').toLowerCase();
    const hasList = el.hasAttribute('list');
    if (tag === 'button') role = 'button';
    else if ((tag === 'a' || tag === 'area') && el.hasAttribute('href')) role = 'link';
    else if (tag === 'textarea') role = 'textbox';
    else if (tag === 'select') role = (el as HTMLSelectElement).multiple || (el as HTMLSelectElement).size > 1 ? 'listbox' : 'combobox';
    else if (tag === 'option') role = 'option';
    else if (/^h[1-6]$/.test(tag)) role = 'heading';
    else if (tag === 'img') role = el.getAttribute('alt') === '' ? '' : 'img';
    else if (tag === 'li') role = 'listitem';
    else if (tag === 'input') {
      if (['button', 'submit', 'reset', 'image'].includes(type)) role = 'button';
      else if (type === 'checkbox' || type === 'radio') role = type;
      else if (type === 'range') role = 'slider';
      else if (type === 'number') role = 'spinbutton';
      else if (type === 'search') role = hasList ? 'combobox' : 'searchbox';
      else if (['', 'text', 'email', 'tel', 'url'].includes(type)) role = hasList ? 'combobox' : 'textbox';
    }
  }
  return roles.includes(role) ? role : '';
}

/**
 * Roles learned per page and name: which role `aria/Name` turned out to be on a page (origin and path), so the
 * next row's same step asks the one role query straight away, with no look at a sibling first. A process-wide
 * memo, bounded (least recently set dropped first); a hint that no longer finds anything is corrected by the
 * next look, and never decides more than which query runs first.
 */
export class RoleHints {
  private readonly roles = new Map<string, string>();
  constructor(private readonly max = 2_000) {}

  private static key(pageUrl: string, name: string): string {
    let where = pageUrl;
    try {
      const u = new URL(pageUrl);
      where = `${u.origin}${u.pathname}`;
    } catch {
      // about:blank, srcdoc frames: the url as is
    }
    return `${where}\n${name}`;
  }

  get(pageUrl: string, name: string): string | undefined {
    return this.roles.get(RoleHints.key(pageUrl, name));
  }

  set(pageUrl: string, name: string, role: string): void {
    const key = RoleHints.key(pageUrl, name);
    this.roles.delete(key);
    this.roles.set(key, role);
    if (this.roles.size > this.max) this.roles.delete(this.roles.keys().next().value as string);
  }

  delete(pageUrl: string, name: string): void {
    this.roles.delete(RoleHints.key(pageUrl, name));
  }
}

/** This process's hints: every session of a worker replays the same few pages. */
export const ROLE_HINTS = new RoleHints();
