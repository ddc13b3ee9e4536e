import type { WaitForElementStep } from '../../src/recording/types';
import { setupBrowser, stepError, timed, type BrowserFixture } from './helpers';

let fx: BrowserFixture;
beforeAll(async () => {
  fx = await setupBrowser();
});
afterEach(() => fx.closeSessions());
afterAll(() => fx.teardown());

const wait = (selectors: WaitForElementStep['selectors'], extra: Partial<WaitForElementStep> = {}): WaitForElementStep => ({
  type: 'waitForElement',
  selectors,
  ...extra,
});

describe('waitForElement', () => {
  it('passes once a late element appears (default >= 1, as in @puppeteer/replay)', async () => {
    const session = await fx.open('late.html');
    await expect(fx.run(session, wait(['#late']))).resolves.toEqual({ selectorUsed: '#late', healed: false });
    await fx.run(session, wait(['.item'])); // five of them
  });

  it('compares counts with ==, >= and <=', async () => {
    const session = await fx.open('late.html');
    await fx.run(session, wait(['.item'], { operator: '>=', count: 3 }));
    await fx.run(session, wait(['.item'], { operator: '==', count: 5 }));
    await fx.run(session, wait(['#never'], { operator: '<=', count: 0 }));
    const err = await stepError(fx.run(session, wait(['.item'], { operator: '<=', count: 2 }), { timeoutMs: 300 }));
    expect(err.type).toBe('AssertionFailed');
    expect(err.message).toContain('expected <= 2 element(s) matching .item, found 5');
  });

  it('passes if any alternative satisfies the condition (healed)', async () => {
    const session = await fx.open('late.html');
    await expect(fx.run(session, wait(['#never', 'xpath///*[@id="visible-box"]']))).resolves.toEqual({
      selectorUsed: 'xpath///*[@id="visible-box"]',
      healed: true,
    });
  });

  it('visible: true counts only visible elements, visible: false waits until none is visible', async () => {
    const session = await fx.open('late.html');
    await fx.run(session, wait(['#visible-box'], { visible: true }));
    await fx.run(session, wait(['#hidden-box'], { visible: false }));
    await fx.run(session, wait(['#never'], { visible: false }));
    const shown = await stepError(fx.run(session, wait(['#visible-box'], { visible: false }), { timeoutMs: 300 }));
    expect(shown.type).toBe('AssertionFailed');
    const err = await stepError(fx.run(session, wait(['#hidden-box'], { visible: true }), { timeoutMs: 300 }));
    expect(err.type).toBe('AssertionFailed');
    expect(err.message).toContain('with visible, found 0 (1 before filters)');
  });

  it('matches properties (deep, partial) and attributes', async () => {
    const session = await fx.open('late.html');
    await fx.run(session, wait(['#field'], { properties: { value: 'ready' } }));
    await fx.run(session, wait(['#status'], { properties: { dataset: { state: 'done' } } }));
    await fx.run(session, wait(['#status'], { attributes: { 'data-state': 'done' } }));
  });

  it('fails with expected vs observed for properties and attributes', async () => {
    const session = await fx.open('late.html');
    const err = await stepError(fx.run(session, wait(['#err'], { properties: { textContent: 'y' } }), { timeoutMs: 300 }));
    expect(err.type).toBe('AssertionFailed');
    expect(err.message).toMatch(/^waitForElement: expected >= 1 element\(s\) matching #err with textContent "y", found 0/);

    const attrErr = await stepError(fx.run(session, wait(['#status'], { attributes: { 'data-state': 'broken' } }), { timeoutMs: 300 }));
    expect(attrErr.type).toBe('AssertionFailed');
    expect(attrErr.message).toContain('attribute data-state="broken"');
  });

  it('running out of time is AssertionFailed (not retried), matched or not', async () => {
    const session = await fx.open('late.html');
    const notFound = await stepError(fx.run(session, wait(['#never']), { timeoutMs: 300 }));
    expect(notFound.type).toBe('AssertionFailed');
    const constrained = await stepError(fx.run(session, wait(['#never'], { count: 1 }), { timeoutMs: 300 }));
    expect(constrained.type).toBe('AssertionFailed');
  });

  it('waits inside a frame', async () => {
    const session = await fx.open('frames.html');
    await fx.run(session, wait(['#frame-btn'], { frame: [1, 0] }));
  });
});

describe('waitForExpression', () => {
  it('passes when the expression becomes truthy', async () => {
    const session = await fx.open('late.html');
    await fx.run(session, { type: 'waitForExpression', expression: 'window.readyFlag === true' });
  });

  it('awaits a promise and treats DOM nodes as truthy', async () => {
    const session = await fx.open('late.html');
    await fx.run(session, { type: 'waitForExpression', expression: 'new Promise(r => setTimeout(() => r(1), 100))' });
    await fx.run(session, { type: 'waitForExpression', expression: "document.querySelector('#late') // comment" });
  });

  it('evaluates in the step frame', async () => {
    const session = await fx.open('frames.html');
    await fx.run(session, { type: 'waitForExpression', frame: [0], expression: 'window.frameReady' });
  });

  it('a never-resolving promise → AssertionFailed within the budget', async () => {
    const session = await fx.open('late.html');
    const { ms, error } = await timed(
      fx.run(session, { type: 'waitForExpression', expression: 'new Promise(() => {})' }, { timeoutMs: 600 }),
    );
    expect(error).toMatchObject({ type: 'AssertionFailed' });
    expect((error as Error).message).toContain('new Promise(() => {})');
    expect((error as Error).message).toContain('its promise never settled');
    expect(ms).toBeLessThan(2500);
  });

  it('a falsy expression → AssertionFailed naming it; a syntax error → InvalidStep', async () => {
    const session = await fx.open('late.html');
    const err = await stepError(fx.run(session, { type: 'waitForExpression', expression: 'window.nope' }, { timeoutMs: 300 }));
    expect(err.type).toBe('AssertionFailed');
    expect(err.message).toContain('"window.nope"');
    // Looked at many times; the budget running out during the last look does not make it a promise that never settled.
    expect(err.message).toContain('(it stayed falsy)');
    const bad = await stepError(fx.run(session, { type: 'waitForExpression', expression: '1 +* 2' }, { timeoutMs: 2000 }));
    expect(bad.type).toBe('InvalidStep');
  });
});

describe('assertedEvents', () => {
  const click = { type: 'click' as const, selectors: ['#to-title'], offsetX: 2, offsetY: 2 };

  it('waits for the asserted navigation and title', async () => {
    const session = await fx.open('nav.html');
    await fx.run(session, {
      ...click,
      assertedEvents: [{ type: 'navigation', url: fx.url('title.html'), title: 'Known Title' }],
    });
    expect(session.mainPage.url()).toBe(fx.url('title.html'));
  });

  it('a different title → AssertionFailed naming expected vs actual', async () => {
    const session = await fx.open('nav.html');
    const err = await stepError(
      fx.run(session, { ...click, assertedEvents: [{ type: 'navigation', title: 'Other Title' }] }, { timeoutMs: 3000 }),
    );
    expect(err.type).toBe('AssertionFailed');
    expect(err.message).toContain('expected title "Other Title", got "Known Title"');
  });

  it('a navigation that does not happen → AssertionFailed naming both urls', async () => {
    const session = await fx.open('nav.html');
    const err = await stepError(
      fx.run(
        session,
        { ...click, selectors: ['#stay'], assertedEvents: [{ type: 'navigation', url: fx.url('title.html') }] },
        { timeoutMs: 3000 },
      ),
    );
    expect(err.type).toBe('AssertionFailed');
    expect(err.message).toContain(fx.url('title.html'));
    expect(err.message).toContain(fx.url('nav.html#nowhere'));
  });

  it('applies to navigate steps too', async () => {
    const session = await fx.open();
    await fx.run(session, {
      type: 'navigate',
      url: fx.url('title.html'),
      assertedEvents: [{ type: 'navigation', url: fx.url('title.html'), title: 'Known Title' }],
    });
  });
});
