import { StepError } from '../../src/browser/errors';
import { locateFirst } from '../../src/browser/locate';
import { describeSelector, parseSelectorPart } from '../../src/browser/selectors';
import type { Page } from 'playwright';
import type { Selector, Step } from '../../src/recording/types';
import { setupBrowser, stepError, timed, type BrowserFixture } from './helpers';

let fx: BrowserFixture;
beforeAll(async () => {
  fx = await setupBrowser();
});
afterEach(() => fx.closeSessions());
afterAll(() => fx.teardown());

function clickStep(selectors: Selector[]): Step {
  return { type: 'click', selectors, offsetX: 2, offsetY: 2 };
}

async function lastClickedId(session: { mainPage: Page }): Promise<string | undefined> {
  return session.mainPage.evaluate(() => {
    const clicks = (window as unknown as { clicks: Array<{ id: string }> }).clicks;
    return clicks[clicks.length - 1]?.id;
  });
}

describe('parseSelectorPart', () => {
  it('recognises every recorder prefix', () => {
    expect(parseSelectorPart('#a > b')).toEqual({ kind: 'css', value: '#a > b' });
    expect(parseSelectorPart('aria/Save')).toEqual({ kind: 'aria', value: 'Save', role: undefined });
    expect(parseSelectorPart('aria/Save [doc][role="button"]')).toEqual({ kind: 'aria', value: 'Save [doc]', role: 'button' });
    expect(parseSelectorPart('xpath///div[@id="x"]')).toEqual({ kind: 'xpath', value: '//div[@id="x"]' });
    expect(parseSelectorPart('pierce/#inner')).toEqual({ kind: 'pierce', value: '#inner' });
    expect(parseSelectorPart('text/Hello')).toEqual({ kind: 'text', value: 'Hello' });
    expect(describeSelector(['#host', '#inner'])).toBe('#host >> #inner');
  });
});

describe('selector kinds', () => {
  const cases: Array<[string, Selector[], string]> = [
    ['css', ['#save'], 'save'],
    ['aria with role', ['aria/Save document[role="button"]'], 'save'],
    ['aria without role (link)', ['aria/Help center'], 'help'],
    ['aria without role (label)', ['aria/Email address'], 'email'],
    ['xpath', ['xpath///*[@id="xp-target"]'], 'xp-target'],
    ['text', ['text/Submit order'], 'submit'],
  ];
  it.each(cases)('%s', async (_kind, selectors, expectedId) => {
    const session = await fx.open('buttons.html');
    const outcome = await fx.run(session, clickStep(selectors));
    expect(outcome).toEqual({ selectorUsed: describeSelector(selectors[0]), healed: false });
    expect(await lastClickedId(session)).toBe(expectedId);
  });

  it('pierce/ reaches into an open shadow root', async () => {
    const session = await fx.open('shadow.html');
    await fx.run(session, clickStep(['pierce/#inner']));
    await expect(session.mainPage.textContent('#out')).resolves.toBe('inner clicked');
  });

  it('a path array descends through nested shadow roots', async () => {
    const session = await fx.open('shadow.html');
    const outcome = await fx.run(session, clickStep([['#host', '#inner-host', '#deep']]));
    expect(outcome.selectorUsed).toBe('#host >> #inner-host >> #deep');
    await expect(session.mainPage.textContent('#out')).resolves.toBe('deep clicked');
  });

  it('a path may mix css and aria parts', async () => {
    const session = await fx.open('shadow.html');
    await fx.run(session, clickStep([['#host', 'aria/Shadow action[role="button"]']]));
    await expect(session.mainPage.textContent('#out')).resolves.toBe('inner clicked');
  });
});

describe('locateFirst', () => {
  it('falls back to a later alternative: healed, and a dead first alternative costs no timeout', async () => {
    const session = await fx.open('buttons.html');
    const { ms, result, error } = await timed(fx.run(session, clickStep(['#does-not-exist', '#save']), { timeoutMs: 5000 }));
    expect(error).toBeUndefined();
    expect(result).toEqual({ selectorUsed: '#save', healed: true });
    // Behavioural, not a tight timing check: nowhere near the 5 s budget.
    expect(ms).toBeLessThan(2500);
  });

  it('prefers the lowest index among the alternatives present', async () => {
    const session = await fx.open('buttons.html');
    const frame = session.mainPage.mainFrame();
    const found = await locateFirst(frame, ['#missing', 'text/Submit order', '#submit'], { timeoutMs: 2000 });
    expect(found).toMatchObject({ index: 1, selectorUsed: 'text/Submit order', healed: true });
  });

  it('skips a malformed alternative instead of failing the step', async () => {
    const session = await fx.open('buttons.html');
    const found = await locateFirst(session.mainPage.mainFrame(), ['xpath///*[', '#save'], { timeoutMs: 2000 });
    expect(found).toMatchObject({ index: 1, selectorUsed: '#save' });
  });

  it('waits for a late element', async () => {
    const session = await fx.open('late.html');
    const found = await locateFirst(session.mainPage.mainFrame(), ['#late'], { timeoutMs: 3000 });
    expect(found.index).toBe(0);
    await expect(found.locator.textContent()).resolves.toBe('Late element');
  });

  it('honours the visible/attached state', async () => {
    const session = await fx.open('buttons.html');
    const frame = session.mainPage.mainFrame();
    await expect(locateFirst(frame, ['#hidden-btn'], { timeoutMs: 2000 }, { state: 'attached' })).resolves.toMatchObject({ index: 0 });
    const err = await stepError(locateFirst(frame, ['#hidden-btn'], { timeoutMs: 300 }));
    expect(err.type).toBe('ElementNotFound');
  });

  it('not found → ElementNotFound listing every selector tried', async () => {
    const session = await fx.open('buttons.html');
    const err = await stepError(fx.run(session, clickStep(['#nope', ['#host', '#nope2'], 'aria/Nope']), { timeoutMs: 500 }));
    expect(err).toBeInstanceOf(StepError);
    expect(err.type).toBe('ElementNotFound');
    expect(err.message).toContain('#nope');
    expect(err.message).toContain('#host >> #nope2');
    expect(err.message).toContain('aria/Nope');
  });

  it('rejects promptly when aborted', async () => {
    const session = await fx.open('buttons.html');
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('activity cancelled')), 1300);
    const { ms, error } = await timed(
      locateFirst(session.mainPage.mainFrame(), ['#never'], { timeoutMs: 10_000, signal: controller.signal }),
    );
    expect(error).toBeInstanceOf(StepError);
    expect((error as Error).message).toContain('activity cancelled');
    expect(ms).toBeLessThan(4000);
  });
});
