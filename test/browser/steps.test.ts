import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright';
import type { Step } from '../../src/recording/types';
import { setupBrowser, stepError, type BrowserFixture } from './helpers';

let fx: BrowserFixture;
beforeAll(async () => {
  fx = await setupBrowser();
});
afterEach(() => fx.closeSessions());
afterAll(() => fx.teardown());

const js = <T>(page: Page, expression: string) => page.evaluate(expression) as Promise<T>;

describe('page steps', () => {
  it('setViewport resizes the page', async () => {
    const session = await fx.open('buttons.html');
    await fx.run(session, {
      type: 'setViewport',
      width: 800,
      height: 600,
      deviceScaleFactor: 1,
      isMobile: false,
      hasTouch: false,
      isLandscape: true,
    });
    expect(session.mainPage.viewportSize()).toEqual({ width: 800, height: 600 });
    await expect(js<number>(session.mainPage, 'window.innerWidth')).resolves.toBe(800);
  });

  it('navigate loads the url', async () => {
    const session = await fx.open();
    await fx.run(session, { type: 'navigate', url: fx.url('title.html') });
    expect(session.mainPage.url()).toBe(fx.url('title.html'));
    await expect(session.mainPage.title()).resolves.toBe('Known Title');
  });

  it('navigate to a refused port → NavigationError', async () => {
    // Borrow an ephemeral port and free it again, so nothing listens there.
    const probe: Server = createServer();
    await new Promise<void>((ok) => probe.listen(0, '127.0.0.1', ok));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((ok) => probe.close(ok));
    const session = await fx.open();
    const err = await stepError(fx.run(session, { type: 'navigate', url: `http://127.0.0.1:${port}/` }));
    expect(err.type).toBe('NavigationError');
    expect(err.message).toContain('net::ERR_CONNECTION_REFUSED');
  });

  it('navigate to a server that never answers → StepTimeout', async () => {
    const hanging: Server = createServer(() => undefined);
    await new Promise<void>((ok) => hanging.listen(0, '127.0.0.1', ok));
    try {
      const session = await fx.open();
      const port = (hanging.address() as AddressInfo).port;
      const err = await stepError(fx.run(session, { type: 'navigate', url: `http://127.0.0.1:${port}/` }, { timeoutMs: 800 }));
      expect(err.type).toBe('StepTimeout');
    } finally {
      hanging.closeAllConnections();
      hanging.close();
    }
  });

  it('emulateNetworkConditions goes offline and back', async () => {
    const session = await fx.open('buttons.html');
    const probe = () => js<string>(session.mainPage, "fetch('title.html').then(() => 'ok', () => 'failed')");
    await fx.run(session, { type: 'emulateNetworkConditions', download: 0, upload: 0, latency: 0 });
    await expect(probe()).resolves.toBe('failed');
    await fx.run(session, { type: 'emulateNetworkConditions', download: -1, upload: -1, latency: 0 });
    await expect(probe()).resolves.toBe('ok');
  });

  it('customStep → InvalidStep naming the step', async () => {
    const session = await fx.open();
    const err = await stepError(fx.run(session, { type: 'customStep', name: 'doMagic', parameters: {} }));
    expect(err.type).toBe('InvalidStep');
    expect(err.message).toBe('unknown custom step "doMagic"');
  });

  it('an unknown step type → InvalidStep', async () => {
    const session = await fx.open();
    const err = await stepError(fx.run(session, { type: 'teleport' } as unknown as Step));
    expect(err.type).toBe('InvalidStep');
  });
});

describe('pointer and keyboard steps', () => {
  it('click passes offsets, maps buttons and holds for duration', async () => {
    const session = await fx.open('buttons.html');
    const base = { type: 'click' as const, selectors: ['#mouse'], offsetX: 7, offsetY: 9 };
    await fx.run(session, { ...base, duration: 250 });
    await fx.run(session, { ...base, button: 'secondary' });
    await fx.run(session, { ...base, button: 'auxiliary' });
    await fx.run(session, { ...base, button: 'back' });
    await fx.run(session, { ...base, button: 'forward' });
    const page = session.mainPage;
    await expect(js(page, 'window.presses.map(p => p.button)')).resolves.toEqual([0, 2, 1, 3, 4]);
    await expect(js(page, 'window.clicks[0]')).resolves.toMatchObject({ id: 'mouse', offsetX: 7, offsetY: 9 });
    expect(await js<number>(page, 'window.lastPressMs')).toBeLessThan(250); // last press had no duration
  });

  it('click duration delays the mouseup', async () => {
    const session = await fx.open('buttons.html');
    await fx.run(session, { type: 'click', selectors: ['#mouse'], offsetX: 1, offsetY: 1, duration: 300 });
    expect(await js<number>(session.mainPage, 'window.lastPressMs')).toBeGreaterThanOrEqual(250);
  });

  it('a click whose element moves away as the pointer arrives presses it where it went, not what slid under the point', async () => {
    const session = await fx.open('shifty.html');
    await fx.run(session, { type: 'click', selectors: ['#target'], offsetX: 10, offsetY: 10 });
    // The guard is gone with the step: a click on the decoy, now where the target was, goes through.
    await fx.run(session, { type: 'click', selectors: ['#decoy'], offsetX: 10, offsetY: 10 });
    await expect(js(session.mainPage, 'window.clicks')).resolves.toEqual(['target', 'decoy']);
  });

  it('doubleClick fires dblclick', async () => {
    const session = await fx.open('buttons.html');
    await fx.run(session, { type: 'doubleClick', selectors: ['#dbl'], offsetX: 5, offsetY: 5 });
    await expect(js<number>(session.mainPage, 'window.dblclicks')).resolves.toBe(1);
  });

  it('hover triggers mouseenter and :hover styles', async () => {
    const session = await fx.open('hover.html');
    await fx.run(session, { type: 'hover', selectors: ['#hover-target'] });
    await expect(session.mainPage.textContent('#hover-out')).resolves.toBe('hovered');
    await expect(session.mainPage.isVisible('#menu')).resolves.toBe(true);
  });

  it('keyDown/keyUp reach the focused element', async () => {
    const session = await fx.open('keyboard.html');
    await session.mainPage.focus('#keys');
    for (const key of ['Shift', 'A']) await fx.run(session, { type: 'keyDown', key });
    for (const key of ['A', 'Shift']) await fx.run(session, { type: 'keyUp', key });
    await fx.run(session, { type: 'keyDown', key: 'b' });
    await fx.run(session, { type: 'keyUp', key: 'b' });
    await expect(session.mainPage.inputValue('#keys')).resolves.toBe('Ab');
    await expect(js(session.mainPage, 'window.keyLog')).resolves.toEqual(['down:Shift', 'down:A', 'up:A', 'up:Shift', 'down:b', 'up:b']);
  });

  it('an unknown key name → InvalidStep', async () => {
    const session = await fx.open('keyboard.html');
    const err = await stepError(fx.run(session, { type: 'keyDown', key: 'NoSuchKey' }));
    expect(err.type).toBe('InvalidStep');
  });
});

describe('change', () => {
  it('fills text, replaces existing text, and fires input/change', async () => {
    const session = await fx.open('form.html');
    await fx.run(session, { type: 'change', selectors: ['aria/Full name'], value: 'Ada Lovelace' });
    await fx.run(session, { type: 'change', selectors: ['#prefilled'], value: 'new' });
    await fx.run(session, { type: 'change', selectors: ['#bio'], value: 'line one' });
    await fx.run(session, { type: 'change', selectors: ['#editable'], value: 'rich' });
    const page = session.mainPage;
    await expect(page.inputValue('#name')).resolves.toBe('Ada Lovelace');
    await expect(page.inputValue('#prefilled')).resolves.toBe('new');
    await expect(page.inputValue('#bio')).resolves.toBe('line one');
    await expect(page.textContent('#editable')).resolves.toBe('rich');
    const events = await js<string[]>(page, 'window.events');
    expect(events).toEqual(expect.arrayContaining(['input:name', 'change:name']));
  });

  it('a label stands for its control; a disabled field is waited for; an empty value clears', async () => {
    const session = await fx.open('form.html');
    const page = session.mainPage;
    await fx.run(session, { type: 'change', selectors: ['label[for=name]'], value: 'Grace' });
    await expect(page.inputValue('#name')).resolves.toBe('Grace');
    await fx.run(session, { type: 'change', selectors: ['#locked'], value: 'unlocked' }); // enabled after 300 ms
    await expect(page.inputValue('#locked')).resolves.toBe('unlocked');
    await fx.run(session, { type: 'change', selectors: ['#prefilled'], value: '' });
    await expect(page.inputValue('#prefilled')).resolves.toBe('');
    await fx.run(session, { type: 'change', selectors: ['#qty'], value: ' 42 ' });
    await expect(page.inputValue('#qty')).resolves.toBe('42');
  });

  it('a field that stays read-only → StepTimeout; text into a number or a file input → InvalidStep', async () => {
    const session = await fx.open('form.html');
    const frozen = await stepError(fx.run(session, { type: 'change', selectors: ['#frozen'], value: 'x' }, { timeoutMs: 400 }));
    expect(frozen).toMatchObject({ type: 'StepTimeout', message: expect.stringContaining('stayed read-only') });
    await expect(session.mainPage.inputValue('#frozen')).resolves.toBe('as is');
    const qty = await stepError(fx.run(session, { type: 'change', selectors: ['#qty'], value: 'many' }));
    expect(qty).toMatchObject({ type: 'InvalidStep', message: expect.stringContaining('type=number') });
    const photo = await stepError(fx.run(session, { type: 'change', selectors: ['#photo'], value: 'x' }));
    expect(photo).toMatchObject({ type: 'InvalidStep', message: expect.stringContaining('type=file') });
  });

  it('selects an option by value', async () => {
    const session = await fx.open('form.html');
    await fx.run(session, { type: 'change', selectors: ['#color'], value: 'b' });
    await expect(session.mainPage.inputValue('#color')).resolves.toBe('b');
    await expect(js<string[]>(session.mainPage, 'window.events')).resolves.toContain('change:color');
  });

  it('selects by label, waits for a select to be enabled and for its option to arrive, selects all matches of a multiple select', async () => {
    const session = await fx.open('form.html');
    const page = session.mainPage;
    await fx.run(session, { type: 'change', selectors: ['#color'], value: 'Green' });
    await expect(page.inputValue('#color')).resolves.toBe('g');
    await fx.run(session, { type: 'change', selectors: ['#city'], value: 'Lisbon' });
    await expect(page.inputValue('#city')).resolves.toBe('lis');
    await fx.run(session, { type: 'change', selectors: ['#tags'], value: 'Alpha' });
    await expect(page.$eval('#tags', (s) => Array.from((s as HTMLSelectElement).selectedOptions, (o) => o.value))).resolves.toEqual([
      'a',
      'c',
    ]);
    await expect(js<string[]>(page, 'window.events')).resolves.toEqual(
      expect.arrayContaining(['input:color', 'change:color', 'input:city', 'change:city', 'input:tags', 'change:tags']),
    );
    const missing = await stepError(fx.run(session, { type: 'change', selectors: ['#color'], value: 'Purple' }, { timeoutMs: 300 }));
    expect(missing).toMatchObject({ type: 'StepTimeout', message: expect.stringContaining('no option') });
    await expect(page.inputValue('#color')).resolves.toBe('g');
  });

  it('a checkbox is clicked only when its state must change, through its label too; one the page keeps → AssertionFailed', async () => {
    const session = await fx.open('form.html');
    const page = session.mainPage;
    await fx.run(session, { type: 'change', selectors: ['#terms-label'], value: 'on' });
    await expect(page.isChecked('#terms')).resolves.toBe(true);
    await fx.run(session, { type: 'change', selectors: ['#terms'], value: 'on' });
    // One click on the label (and the click it forwards to its input); none for the step that found it checked.
    await expect(js<string[]>(page, 'window.clicks')).resolves.toEqual(['terms-label', 'terms']);
    const stuck = await stepError(fx.run(session, { type: 'change', selectors: ['#stuck'], value: 'on' }));
    expect(stuck).toMatchObject({ type: 'AssertionFailed', message: expect.stringContaining('did not leave it checked') });
  });

  it('checks and unchecks checkboxes, checks radios', async () => {
    const session = await fx.open('form.html');
    const page = session.mainPage;
    await fx.run(session, { type: 'change', selectors: ['#agree'], value: 'on' });
    await expect(page.isChecked('#agree')).resolves.toBe(true);
    await fx.run(session, { type: 'change', selectors: ['#agree'], value: 'false' });
    await expect(page.isChecked('#agree')).resolves.toBe(false);
    await fx.run(session, { type: 'change', selectors: ['#size-m'], value: 'm' });
    await expect(page.isChecked('#size-m')).resolves.toBe(true);
    await expect(page.isChecked('#size-s')).resolves.toBe(false);
  });
});

describe('scroll', () => {
  it('scrolls an element', async () => {
    const session = await fx.open('scroll.html');
    const outcome = await fx.run(session, { type: 'scroll', selectors: ['#scroller'], x: 30, y: 400 });
    expect(outcome.selectorUsed).toBe('#scroller');
    await expect(js(session.mainPage, '[scroller.scrollLeft, scroller.scrollTop]')).resolves.toEqual([30, 400]);
  });

  it('scrolls the window', async () => {
    const session = await fx.open('scroll.html');
    await fx.run(session, { type: 'scroll', x: 50, y: 700 });
    await expect(js(session.mainPage, '[window.scrollX, window.scrollY]')).resolves.toEqual([50, 700]);
  });
});

describe('frames', () => {
  it('clicks inside a child frame and a nested frame', async () => {
    const session = await fx.open('frames.html');
    await fx.run(session, { type: 'click', frame: [0], selectors: ['#frame-btn'], offsetX: 2, offsetY: 2 });
    await fx.run(session, { type: 'click', frame: [1, 0], selectors: ['aria/Frame button'], offsetX: 2, offsetY: 2 });
    const [f0, f1] = session.mainPage.mainFrame().childFrames();
    await expect(f0.textContent('#frame-out')).resolves.toBe('frame clicked');
    await expect(f1.childFrames()[0].textContent('#frame-out')).resolves.toBe('frame clicked');
  });

  it('a bad frame path → InvalidStep naming the path', async () => {
    const session = await fx.open('frames.html');
    const err = await stepError(
      fx.run(session, { type: 'click', frame: [1, 5], selectors: ['#frame-btn'], offsetX: 1, offsetY: 1 }, { timeoutMs: 400 }),
    );
    expect(err.type).toBe('InvalidStep');
    expect(err.message).toContain('[1,5]');
  });
});

describe('popups and close', () => {
  it('targets a window.open popup by url (trailing slash ignored) and closes it', async () => {
    const session = await fx.open('popup.html');
    await fx.run(session, { type: 'click', selectors: ['#open-popup'], offsetX: 2, offsetY: 2 });
    const target = fx.url('popup'); // the popup's real URL ends in "popup/"
    await fx.run(session, { type: 'click', target, selectors: ['#popup-btn'], offsetX: 2, offsetY: 2 });
    const popup = await session.pageFor(target, 1000);
    expect(popup).not.toBe(session.mainPage);
    await expect(popup.textContent('#popup-out')).resolves.toBe('popup clicked');
    await fx.run(session, { type: 'close', target });
    expect(popup.isClosed()).toBe(true);
    expect(session.mainPage.isClosed()).toBe(false);
  });

  it('targets a target=_blank popup', async () => {
    const session = await fx.open('popup.html');
    await fx.run(session, { type: 'click', selectors: ['#blank-link'], offsetX: 2, offsetY: 2 });
    const target = fx.url('popup-target.html?via=link');
    await fx.run(session, { type: 'waitForElement', target, selectors: ['#popup-btn'] });
  });

  it('a popup that never opens → StepTimeout', async () => {
    const session = await fx.open('popup.html');
    const err = await stepError(
      fx.run(session, { type: 'click', target: fx.url('nope.html'), selectors: ['#x'], offsetX: 1, offsetY: 1 }, { timeoutMs: 300 }),
    );
    expect(err.type).toBe('StepTimeout');
  });

  it('screenshot writes a file of the last used page', async () => {
    const session = await fx.open('buttons.html');
    const { mkdtemp, stat } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const file = join(await mkdtemp(join(tmpdir(), 'shot-')), 'nested', 'step.png');
    await expect(session.screenshot(file)).resolves.toBe(file);
    expect((await stat(file)).size).toBeGreaterThan(100);
  });

  it('steps on a closed session → SessionLost', async () => {
    const session = await fx.open('buttons.html');
    await session.close();
    await session.close(); // idempotent
    const err = await stepError(fx.run(session, { type: 'click', selectors: ['#save'], offsetX: 1, offsetY: 1 }));
    expect(err.type).toBe('SessionLost');
  });
});
