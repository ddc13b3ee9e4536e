import type { Protocol } from 'playwright-core/types/protocol';
import { setupBrowser, type BrowserFixture } from './helpers';

/**
 * The engine queries in the page's main world, where it holds the elements it finds (src/browser/main-world.ts),
 * so a page compiles Playwright's injected script once, not once per world. Counted from Chromium's side: the
 * scripts the page's execution contexts parse (Debugger.scriptParsed), Playwright's injected script being the only
 * one of its size.
 */

const INJECTED_SCRIPT_MIN_LENGTH = 100_000;

let fx: BrowserFixture;
beforeAll(async () => {
  fx = await setupBrowser();
});
afterEach(() => fx.closeSessions());
afterAll(() => fx.teardown());

it("a page compiles Playwright's injected script in one world for locating, clicking, changing and counting", async () => {
  const session = await fx.open();
  const cdp = await session.context.newCDPSession(session.mainPage);
  const compiledIn: number[] = [];
  cdp.on('Debugger.scriptParsed', (e: Protocol.Debugger.scriptParsedPayload) => {
    if ((e.length ?? 0) >= INJECTED_SCRIPT_MIN_LENGTH) compiledIn.push(e.executionContextId);
  });
  await cdp.send('Debugger.enable');
  await session.mainPage.goto(fx.url('form.html'));

  // The Recorder's alternatives: a role-less aria name first (its role guessed from the CSS sibling), then CSS.
  await fx.run(session, { type: 'click', selectors: [['aria/Full name'], ['#name']], offsetX: 2, offsetY: 2 });
  await fx.run(session, { type: 'change', selectors: [['aria/Full name'], ['#name']], value: 'Ada' });
  await fx.run(session, { type: 'waitForElement', selectors: [['#name']], visible: true });
  await fx.run(session, { type: 'click', selectors: [['xpath///*[@id="agree"]']], offsetX: 2, offsetY: 2 });

  // Read with a plain evaluate: Playwright's own inputValue() or isChecked() would compile it in their world.
  const state = await session.mainPage.evaluate(() => ({
    name: (document.getElementById('name') as HTMLInputElement).value,
    agree: (document.getElementById('agree') as HTMLInputElement).checked,
  }));
  expect(state).toEqual({ name: 'Ada', agree: true });
  expect(compiledIn).toHaveLength(1);
  await cdp.detach();
});
