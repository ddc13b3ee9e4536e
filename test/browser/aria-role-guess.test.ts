import type { Frame } from 'playwright';
import { guessRole, RoleHints, ROLE_HINTS } from '../../src/browser/aria-role-guess';
import { locateFirst } from '../../src/browser/locate';
import { ARIA_NAME_ROLES, type AriaRole } from '../../src/browser/selectors';
import { setupBrowser, type BrowserFixture } from './helpers';

let fx: BrowserFixture;
beforeAll(async () => {
  fx = await setupBrowser();
});
afterEach(() => fx.closeSessions());
afterAll(() => fx.teardown());

async function ids(frame: Frame, role: string): Promise<string[]> {
  return frame.getByRole(role as AriaRole, { includeHidden: true }).evaluateAll((els) => els.map((e) => e.id));
}

describe('guessRole', () => {
  it("agrees with Playwright's role engine on every element it names a role for, and names none it cannot", async () => {
    const session = await fx.open('roles.html');
    const frame = session.mainPage.mainFrame();
    // The page function runs as locate.ts runs it: serialised, one element at a time.
    const byId: Record<string, string> = {};
    for (const id of await frame.locator('body *[id]').evaluateAll((els) => els.map((e) => e.id)))
      byId[id] = await frame.locator(`[id="${id}"]`).evaluate(guessRole, ARIA_NAME_ROLES);
    for (const [id, role] of Object.entries(byId)) {
      if (role) expect({ id, inPlaywrightRole: (await ids(frame, role)).includes(id) }).toEqual({ id, inPlaywrightRole: true });
    }
    expect(byId).toMatchObject({
      b1: 'button',
      b2: 'button',
      b3: 'button',
      l1: 'link',
      l0: '',
      t1: 'textbox',
      t2: 'textbox',
      t3: 'combobox',
      t4: 'searchbox',
      t5: 'spinbutton',
      t6: 'slider',
      t7: '',
      t8: '',
      t9: 'textbox',
      c1: 'checkbox',
      r1: 'radio',
      s1: 'switch',
      sel1: 'combobox',
      sel2: 'listbox',
      sel3: 'listbox',
      h1: 'heading',
      i1: 'img',
      i2: '',
      li1: 'listitem',
      d1: 'tab',
      d2: 'menuitem',
      d3: '',
      d4: '',
      d5: 'button',
    });
  });
});

describe('RoleHints', () => {
  it('keys by origin and path, forgets the oldest beyond its bound', () => {
    const hints = new RoleHints(2);
    hints.set('http://a.test/form?row=1#top', 'Name', 'textbox');
    expect(hints.get('http://a.test/form?row=2', 'Name')).toBe('textbox');
    expect(hints.get('http://a.test/other', 'Name')).toBeUndefined();
    hints.set('http://a.test/form', 'Email', 'textbox');
    hints.set('http://a.test/form', 'Plan', 'combobox');
    expect(hints.get('http://a.test/form', 'Name')).toBeUndefined();
    expect(hints.get('http://a.test/form', 'Plan')).toBe('combobox');
  });
});

describe('a role-less aria/ alternative', () => {
  it('is asked as the role of its sibling alternative, learnt for the next look, and corrected when the page changes', async () => {
    const session = await fx.open('roles.html');
    const frame = session.mainPage.mainFrame();
    const url = frame.url();
    ROLE_HINTS.delete(url, 'Plain button');
    const first = await locateFirst(frame, ['aria/Plain button', '#b1'], { timeoutMs: 2000 });
    expect(first).toMatchObject({ selectorUsed: 'aria/Plain button', healed: false });
    expect(ROLE_HINTS.get(url, 'Plain button')).toBe('button');
    // The page turns the button into a link of the same name: the hint finds nothing, the full query does.
    await session.mainPage.evaluate(() => {
      document.getElementById('b1')!.outerHTML = '<a id="b1" href="#y">Plain button</a>';
    });
    const second = await locateFirst(frame, ['aria/Plain button', '#gone'], { timeoutMs: 2000 });
    expect(second).toMatchObject({ selectorUsed: 'aria/Plain button', healed: false });
    await expect(second.element.evaluate((el) => el.localName)).resolves.toBe('a');
    expect(ROLE_HINTS.get(url, 'Plain button')).toBe('link');
  });

  it('finds the element its sibling alternative names when another role carries the same name first', async () => {
    const session = await fx.open('roles.html');
    const frame = session.mainPage.mainFrame();
    ROLE_HINTS.delete(frame.url(), 'Continue');
    const withSibling = await locateFirst(frame, ['aria/Continue', '#dup-button'], { timeoutMs: 2000 });
    await expect(withSibling.element.evaluate((el) => el.id)).resolves.toBe('dup-button');
    // Without a sibling and without a hint, the full union's first match in document order: the heading.
    ROLE_HINTS.delete(frame.url(), 'Continue');
    const alone = await locateFirst(frame, ['aria/Continue'], { timeoutMs: 2000 });
    await expect(alone.element.evaluate((el) => el.id)).resolves.toBe('dup-heading');
  });

  it('does not take a hidden element of the hinted role, and waits for one to appear', async () => {
    const session = await fx.open('roles.html');
    const frame = session.mainPage.mainFrame();
    await session.mainPage.evaluate(() => {
      const b = document.createElement('button');
      b.id = 'late';
      b.textContent = 'Late button';
      b.style.display = 'none';
      document.body.append(b);
      setTimeout(() => (b.style.display = ''), 300);
    });
    ROLE_HINTS.set(frame.url(), 'Late button', 'button');
    const found = await locateFirst(frame, ['aria/Late button', '#late'], { timeoutMs: 3000 });
    expect(found).toMatchObject({ selectorUsed: 'aria/Late button', healed: false });
    await expect(found.element.isVisible()).resolves.toBe(true);
  });
});
