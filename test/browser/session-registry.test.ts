import { existsSync } from 'node:fs';
import { firefox } from 'playwright';
import { SessionRegistry } from '../../src/browser/session-registry';
import { executeStep } from '../../src/browser/step-engine';
import { startStaticServer, type StaticServer } from '../../src/support/static-server';
import { resolveToolPaths } from '../../src/support/tools';
import { childPids, commandLine } from '../support/processes';
import { PAGES_DIR, stepError } from './helpers';

/** Sessions, leases and the browser behind them; this file owns its registries because it kills browsers. */

const chromium = { browser: 'chromium', headless: true, holder: { jobId: 'registry-test', row: 1, attempt: 0 } } as const;
let server: StaticServer;
let registry: SessionRegistry;

beforeAll(async () => {
  server = await startStaticServer(PAGES_DIR);
  registry = new SessionRegistry();
});
afterAll(async () => {
  await registry.closeAll();
  await server.close();
});

/** Every process under `pid` (Chromium's renderers hang off its zygotes). */
function descendants(pid: number): number[] {
  return childPids(pid).flatMap((child) => [child, ...descendants(child)]);
}

/** Browser processes this test process launched (their renderers and helpers carry a --type=). */
function browserPids(): number[] {
  return childPids(process.pid).filter((pid) => {
    const cmd = commandLine(pid) ?? '';
    return /chrom/i.test(cmd) && !cmd.includes('--type=');
  });
}

/** The one browser process launched since `before` was taken. */
function browserPid(before: number[] = []): number {
  const browsers = browserPids().filter((pid) => !before.includes(pid));
  if (browsers.length !== 1) throw new Error(`expected one new browser process, found ${browsers.length}`);
  return browsers[0];
}

async function waitUntil(predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 20));
  }
}

it('launches lazily; each lease is its own context, released exactly once', async () => {
  expect(registry.stats().browser.connected).toBe(false);
  const a = await registry.lease({ ...chromium, viewport: { width: 640, height: 480 } });
  const b = await registry.lease({ ...chromium });
  expect(registry.stats()).toMatchObject({ activeSessions: 2, sessionsOpened: 2, browser: { connected: true } });
  expect(registry.holders()).toEqual([
    { ...chromium.holder, since: expect.any(Number) },
    { ...chromium.holder, since: expect.any(Number) },
  ]);
  expect(a.session.id).not.toBe(b.session.id);
  expect(a.session.mainPage.viewportSize()).toEqual({ width: 640, height: 480 });
  // Separate contexts: storage does not leak between data rows.
  await a.session.mainPage.goto(`${server.url}/title.html`);
  await b.session.mainPage.goto(`${server.url}/title.html`);
  await a.session.mainPage.evaluate(() => localStorage.setItem('row', 'a'));
  await expect(b.session.mainPage.evaluate(() => localStorage.getItem('row'))).resolves.toBeNull();
  await a.release();
  await a.release();
  await expect(a.session.ended).resolves.toBe('released');
  expect(a.signal.aborted).toBe(false); // released is not lost: nothing to stop
  await waitUntil(() => registry.activeSessions === 1);
  await b.release();
  await waitUntil(() => registry.activeSessions === 0);
  expect(registry.stats()).toMatchObject({ sessionsLost: 0, browser: { relaunches: 0 } });
});

it("the full Chromium keeps Playwright's disabled features and adds the omnibox popup switch: one renderer per session", async () => {
  // Without a headless shell, headless sessions run the full browser: the flags must hold there.
  const full = new SessionRegistry({ chromiumBuilds: { chromium: resolveToolPaths().chromium } });
  const before = browserPids();
  try {
    const leases = await Promise.all([1, 2, 3].map(() => full.lease({ ...chromium })));
    await Promise.all(leases.map((l) => l.session.mainPage.goto(`${server.url}/title.html`)));
    const pid = browserPid(before);
    const args = (commandLine(pid) ?? '').split(' ');
    // (Debian's /usr/bin/chromium is a wrapper that execs the binary under /usr/lib/chromium.)
    expect(args[0]).toMatch(/chromium/);
    expect(args[0]).not.toBe(resolveToolPaths().chromiumHeadlessShell);
    // Playwright's own switch comes first; Chromium honours only the last one, which must carry all of it.
    const lists = args.filter((a) => a.startsWith('--disable-features=')).map((a) => a.slice('--disable-features='.length).split(','));
    expect(lists.length).toBeGreaterThanOrEqual(2);
    const honoured = lists[lists.length - 1];
    expect(honoured).toEqual(expect.arrayContaining(lists[0]));
    expect(honoured).toEqual(expect.arrayContaining(['WebUIOmniboxPopup', 'WebUIOmniboxAimPopup']));

    // The omnibox popup WebUI (a chrome://…top-chrome renderer per window) is gone.
    const renderers = descendants(pid)
      .map((p) => commandLine(p) ?? '')
      .filter((c) => c.includes('--type=renderer'));
    expect(renderers.filter((c) => c.includes('top-chrome'))).toEqual([]);
    expect(renderers.length).toBeGreaterThanOrEqual(3);
    await Promise.all(leases.map((l) => l.release()));
  } finally {
    await full.closeAll();
  }
});

it('headless sessions run the headless shell that setup found', async () => {
  const shell = resolveToolPaths().chromiumHeadlessShell;
  expect(shell).toBeDefined(); // scripts/setup.mjs unpacks it; without it headless sessions fall back to the full browser
  const local = new SessionRegistry();
  const before = browserPids();
  try {
    const lease = await local.lease({ ...chromium });
    await lease.session.mainPage.goto(`${server.url}/title.html`);
    expect(commandLine(browserPid(before))?.split(' ')[0]).toBe(shell);
    await expect(lease.session.mainPage.evaluate(() => navigator.userAgent)).resolves.toMatch(/HeadlessChrome/);
  } finally {
    await local.closeAll();
  }
});

it('a killed browser ends its sessions as lost, aborts their leases, and is relaunched on the next lease', async () => {
  const lease = await registry.lease({ ...chromium });
  await lease.session.mainPage.goto(`${server.url}/late.html`);
  const other = await registry.lease({ ...chromium });
  const lostBefore = registry.stats().sessionsLost;

  // A step that is waiting when the browser dies fails as SessionLost, not as a timeout.
  const pending = executeStep(lease.session, { type: 'waitForElement', selectors: ['#never'] }, { timeoutMs: 20_000 });
  process.kill(browserPid(), 'SIGKILL');
  await expect(lease.session.ended).resolves.toBe('lost');
  await expect(other.session.ended).resolves.toBe('lost');
  expect((await stepError(pending)).type).toBe('SessionLost');
  // The lease's signal carries the loss, so whoever holds it stops at once.
  expect(lease.signal.aborted).toBe(true);
  expect(lease.signal.reason).toMatchObject({ type: 'SessionLost' });
  expect(registry.stats()).toMatchObject({ activeSessions: 0, sessionsLost: lostBefore + 2 });
  expect((await stepError(executeStep(other.session, { type: 'navigate', url: server.url }, { timeoutMs: 1000 }))).type).toBe('SessionLost');
  await lease.release(); // never throws, even on a dead browser
  await expect(lease.session.ended).resolves.toBe('lost'); // ended once, the first way

  const fresh = await registry.lease({ ...chromium });
  expect(registry.stats().browser.relaunches).toBe(1);
  await executeStep(fresh.session, { type: 'navigate', url: `${server.url}/title.html` }, { timeoutMs: 5000 });
  await expect(fresh.session.mainPage.title()).resolves.toBe('Known Title');
  await fresh.release();
});

it("the holder's own signal stops the lease's work and leaves the session to be released", async () => {
  const holder = new AbortController();
  const lease = await registry.lease({ ...chromium, signal: holder.signal });
  await lease.session.mainPage.goto(`${server.url}/late.html`);
  const pending = executeStep(lease.session, { type: 'waitForElement', selectors: ['#never'] }, { timeoutMs: 20_000, signal: lease.signal });
  holder.abort(new Error('row cancelled'));
  const error = await stepError(pending);
  expect(error.message).toMatch(/row cancelled/);
  expect(lease.signal.reason).toEqual(new Error('row cancelled'));
  await lease.release();
  await expect(lease.session.ended).resolves.toBe('released');
  // An already-aborted holder gets no session at all.
  await expect(registry.lease({ ...chromium, signal: holder.signal })).rejects.toThrow(/row cancelled/);
});

it('reports a missing browser executable clearly, and /health can tell', async () => {
  const missing = new SessionRegistry({ chromiumBuilds: { chromium: '/nonexistent/chromium', headlessShell: '/nonexistent/headless-shell' } });
  await expect(missing.lease({ ...chromium })).rejects.toThrow(/chromium headless shell not found at \/nonexistent\/headless-shell/);
  await expect(missing.lease({ ...chromium, headless: false })).rejects.toThrow(/chromium executable not found at \/nonexistent\/chromium/);
  expect(missing.stats().browser.launchError).toMatch(/not found/);
  await missing.closeAll();
  if (!existsSync(firefox.executablePath())) {
    const ff = new SessionRegistry();
    await expect(ff.lease({ ...chromium, browser: 'firefox' })).rejects.toThrow(/firefox is not installed/);
    await ff.closeAll();
  }
});

it('closeAll releases every session and refuses new ones', async () => {
  const local = new SessionRegistry();
  const lease = await local.lease({ ...chromium });
  await local.closeAll();
  await expect(lease.session.ended).resolves.toBe('released');
  expect(local.activeSessions).toBe(0);
  await expect(local.lease({ ...chromium })).rejects.toThrow(/closed/);
});

it('opens the next session from a context made when the last one closed: same options, fresh, taken at once', async () => {
  const local = new SessionRegistry();
  try {
    const viewport = { width: 800, height: 600 };
    const first = await local.lease({ ...chromium, viewport });
    await first.session.mainPage.goto(`${server.url}/title.html`);
    await first.session.mainPage.evaluate(() => localStorage.setItem('row', 'first'));
    expect(local.stats().browser.spareOpen).toBe(false); // not while a row runs: it would compete for the CPU
    await first.release();
    await waitUntil(() => local.stats().browser.spareOpen);

    const second = await local.lease({ ...chromium, viewport });
    expect(local.stats().browser.sparesUsed).toBe(1);
    expect(second.session.mainPage.url()).toBe('about:blank');
    expect(second.session.mainPage.viewportSize()).toEqual(viewport);
    await second.session.mainPage.goto(`${server.url}/title.html`);
    await expect(second.session.mainPage.evaluate(() => localStorage.getItem('row'))).resolves.toBeNull();
    await second.release();
    await waitUntil(() => local.stats().browser.spareOpen);

    // Other options: a context of their own; the next spare follows them.
    const other = { width: 500, height: 400 };
    const third = await local.lease({ ...chromium, viewport: other });
    expect(local.stats().browser.sparesUsed).toBe(1);
    expect(third.session.mainPage.viewportSize()).toEqual(other);
    await third.release();
    await waitUntil(() => local.stats().browser.spareOpen);
    const fourth = await local.lease({ ...chromium, viewport: other });
    expect(local.stats().browser.sparesUsed).toBe(2);
    expect(fourth.session.mainPage.viewportSize()).toEqual(other);
  } finally {
    await local.closeAll();
  }
});

it('never hands out a spare from a browser that died, and relaunches no browser just for one', async () => {
  const local = new SessionRegistry();
  const before = browserPids();
  try {
    await (await local.lease({ ...chromium })).release();
    await waitUntil(() => local.stats().browser.spareOpen);
    const held = await local.lease({ ...chromium });
    expect(local.stats().browser.sparesUsed).toBe(1);
    process.kill(browserPid(before), 'SIGKILL');
    await held.session.ended;
    await held.release(); // a session of a dead browser prepares nothing
    await new Promise((r) => setTimeout(r, 300));
    expect(local.stats().browser).toMatchObject({ connected: false, spareOpen: false });
    const fresh = await local.lease({ ...chromium });
    expect(local.stats().browser).toMatchObject({ sparesUsed: 1, relaunches: 1 });
    await executeStep(fresh.session, { type: 'navigate', url: `${server.url}/title.html` }, { timeoutMs: 5000 });
    await expect(fresh.session.mainPage.title()).resolves.toBe('Known Title');
  } finally {
    await local.closeAll();
  }
});
