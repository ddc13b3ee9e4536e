import { existsSync } from 'node:fs';
import { firefox } from 'playwright';
import { BrowserPool, type BrowserDisconnectedInfo } from '../../src/browser/browser-pool';
import { executeStep } from '../../src/browser/step-engine';
import { startStaticServer, type StaticServer } from '../../src/support/static-server';
import { childPids, commandLine } from '../support/processes';
import { PAGES_DIR, stepError } from './helpers';

/** Pool lifecycle and crash recovery; this file owns its pool because it kills the browser. */

let server: StaticServer;
let pool: BrowserPool;
const disconnects: BrowserDisconnectedInfo[] = [];

beforeAll(async () => {
  server = await startStaticServer(PAGES_DIR);
  pool = new BrowserPool({ browser: 'chromium', headless: true, onBrowserDisconnected: (info) => disconnects.push(info) });
});
afterAll(async () => {
  await pool.close();
  await server.close();
});

function waitForDisconnect(): Promise<BrowserDisconnectedInfo> {
  return new Promise((ok) => pool.once('browserDisconnected', ok));
}

it('launches lazily and tracks sessions', async () => {
  expect(pool.isConnected).toBe(false);
  const a = await pool.openSession({ viewport: { width: 640, height: 480 } });
  const b = await pool.openSession({});
  expect(pool.isConnected).toBe(true);
  expect(pool.activeSessions).toBe(2);
  expect(pool.getSession(a.id)).toBe(a);
  expect(a.id).not.toBe(b.id);
  expect(a.mainPage.viewportSize()).toEqual({ width: 640, height: 480 });
  // Separate contexts: storage does not leak between data rows.
  await a.mainPage.goto(`${server.url}/title.html`);
  await b.mainPage.goto(`${server.url}/title.html`);
  await a.mainPage.evaluate(() => localStorage.setItem('row', 'a'));
  await expect(b.mainPage.evaluate(() => localStorage.getItem('row'))).resolves.toBeNull();
  await a.close();
  await a.close();
  expect(pool.activeSessions).toBe(1);
  expect(pool.getSession(a.id)).toBeUndefined();
  await b.close();
  expect(pool.relaunches).toBe(0);
});

/** Every process under `pid` (Chromium's renderers hang off its zygotes). */
function descendants(pid: number): number[] {
  return childPids(pid).flatMap((child) => [child, ...descendants(child)]);
}

it("keeps Playwright's disabled features and adds the omnibox popup switch: one renderer per session", async () => {
  const sessions = await Promise.all([1, 2, 3].map(() => pool.openSession({})));
  await Promise.all(sessions.map((s) => s.mainPage.goto(`${server.url}/title.html`)));
  const pid = (await pool.browserPid()) as number;
  const args = (commandLine(pid) ?? '').split(' ');
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
  await Promise.all(sessions.map((s) => s.close()));
});

it('a killed browser loses its sessions and is relaunched on the next openSession', async () => {
  const session = await pool.openSession({});
  await session.mainPage.goto(`${server.url}/late.html`);
  const other = await pool.openSession({});
  const pid = await pool.browserPid();
  expect(pid).toEqual(expect.any(Number));

  // A step that is waiting when the browser dies fails as SessionLost, not as a timeout.
  const pending = executeStep(session, { type: 'waitForElement', selectors: ['#never'] }, { timeoutMs: 20_000 });
  const disconnected = waitForDisconnect();
  process.kill(pid as number, 'SIGKILL');
  const info = await disconnected;
  expect(info.lostSessionIds.sort()).toEqual([session.id, other.id].sort());
  expect(disconnects).toHaveLength(1);
  expect((await stepError(pending)).type).toBe('SessionLost');

  expect(session.isLost).toBe(true);
  expect(other.isLost).toBe(true);
  expect(pool.activeSessions).toBe(0);
  expect((await stepError(executeStep(other, { type: 'navigate', url: server.url }, { timeoutMs: 1000 }))).type).toBe('SessionLost');
  await session.close(); // never throws, even on a dead browser

  const fresh = await pool.openSession({});
  expect(pool.relaunches).toBe(1);
  await executeStep(fresh, { type: 'navigate', url: `${server.url}/title.html` }, { timeoutMs: 5000 });
  await expect(fresh.mainPage.title()).resolves.toBe('Known Title');
  await fresh.close();
});

it('reports a missing browser executable clearly', async () => {
  const missing = new BrowserPool({ browser: 'chromium', headless: true, executablePath: '/nonexistent/chromium' });
  await expect(missing.openSession({})).rejects.toThrow(/chromium executable not found at \/nonexistent\/chromium/);
  await missing.close();
  if (!existsSync(firefox.executablePath())) {
    const ff = new BrowserPool({ browser: 'firefox', headless: true });
    await expect(ff.openSession({})).rejects.toThrow(/firefox is not installed/);
    await ff.close();
  }
});

it('refuses new sessions after close()', async () => {
  const local = new BrowserPool({ browser: 'chromium', headless: true });
  const s = await local.openSession({});
  await local.close();
  expect(s.isLost).toBe(true);
  expect(local.activeSessions).toBe(0);
  await expect(local.openSession({})).rejects.toThrow(/closed/);
  await local.close();
});

it('opens the next session from a context made when the last one closed: same options, fresh, taken at once', async () => {
  const local = new BrowserPool({ browser: 'chromium', headless: true });
  try {
    const viewport = { width: 800, height: 600 };
    const first = await local.openSession({ viewport });
    await first.mainPage.goto(`${server.url}/title.html`);
    await first.mainPage.evaluate(() => localStorage.setItem('row', 'first'));
    expect(await local.spareReady()).toBe(false); // not while a row runs: it would compete for the CPU
    await first.close();
    expect(await local.spareReady()).toBe(true);

    const second = await local.openSession({ viewport });
    expect(local.sparesUsed).toBe(1);
    expect(second.mainPage.url()).toBe('about:blank');
    expect(second.mainPage.viewportSize()).toEqual(viewport);
    await second.mainPage.goto(`${server.url}/title.html`);
    await expect(second.mainPage.evaluate(() => localStorage.getItem('row'))).resolves.toBeNull();
    await second.close();

    // Other options: a context of their own; the next spare follows them.
    const other = { width: 500, height: 400 };
    const third = await local.openSession({ viewport: other });
    expect(local.sparesUsed).toBe(1);
    expect(third.mainPage.viewportSize()).toEqual(other);
    await third.close();
    const fourth = await local.openSession({ viewport: other });
    expect(local.sparesUsed).toBe(2);
    expect(fourth.mainPage.viewportSize()).toEqual(other);
  } finally {
    await local.close();
  }
});

it('never hands out a spare from a browser that died, and relaunches no browser just for one', async () => {
  const local = new BrowserPool({ browser: 'chromium', headless: true });
  try {
    await (await local.openSession({})).close();
    expect(await local.spareReady()).toBe(true);
    const held = await local.openSession({});
    const gone = new Promise((ok) => local.once('browserDisconnected', ok));
    process.kill((await local.browserPid()) as number, 'SIGKILL');
    await gone;
    await held.close(); // a closing session of a dead browser prepares nothing
    expect(await local.spareReady()).toBe(false);
    expect(local.isConnected).toBe(false);
    const fresh = await local.openSession({});
    expect(local.sparesUsed).toBe(1);
    expect(local.relaunches).toBe(1);
    await executeStep(fresh, { type: 'navigate', url: `${server.url}/title.html` }, { timeoutMs: 5000 });
    await expect(fresh.mainPage.title()).resolves.toBe('Known Title');
  } finally {
    await local.close();
  }
});
