import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import { chromium, firefox, webkit, type Browser, type BrowserContext, type BrowserType, type Page } from 'playwright';
import { BrowserSession } from './session';
import type { BrowserName, SessionOptions } from './types';

/**
 * One browser process per pool, shared by many sessions (one BrowserContext per data row):
 * contexts are cheap and isolated, processes are not. The process is launched lazily and
 * relaunched after a crash, so a worker survives a dead browser without restarting.
 */

export const DEFAULT_CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * The features Playwright 1.65 disables for Chromium. Chromium honours only the last `--disable-features`
 * switch, and Playwright puts its own before ours, so ours must repeat its list (test/browser/pool.test.ts
 * checks the real command line against the installed Playwright, so an upgrade that changes it fails there).
 */
export const PLAYWRIGHT_DISABLED_FEATURES = [
  'AvoidUnnecessaryBeforeUnloadCheckSync',
  'DestroyProfileOnBrowserClose',
  'HttpsUpgrades',
  'HttpsFirstBalancedModeAutoEnable',
  'LensOverlay',
  'MediaRouter',
  'PaintHolding',
  'ThirdPartyStoragePartitioning',
  'AvoidCorsURLLoaderRestartOnRedirect',
  'TcpPortRandomizationWin',
  'OptimizationHints',
  'NetworkTimeServiceQuerying',
  'AimEnabled',
  'PreconnectToSearch',
  'msForceBrowserSignIn',
  'msEdgeUpdateLaunchServicesPreferredVersion',
];

/**
 * Debian's Chromium runs the "new" headless mode, a full browser: every window (one per context) preloads
 * the omnibox popup WebUI in a renderer process of its own. Without it a session costs one renderer, not two,
 * and the browser opens and closes sessions about twice as fast on 2 cores (BENCHMARKS.md, browser flags).
 */
export const OMNIBOX_POPUP_FEATURES = ['WebUIOmniboxPopup', 'WebUIOmniboxAimPopup'];

/** Flags for headless Chromium in containers: no sandbox (root), no GPU, no background traffic. */
export const DEFAULT_CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
  '--no-first-run',
  `--disable-features=${[...PLAYWRIGHT_DISABLED_FEATURES, ...OMNIBOX_POPUP_FEATURES].join(',')}`,
];

export interface BrowserDisconnectedInfo {
  browser: BrowserName;
  /** Ids of the sessions that were open and are now lost. */
  lostSessionIds: string[];
}

export interface BrowserPoolOptions {
  browser: BrowserName;
  executablePath?: string;
  headless: boolean;
  /** Replaces the default launch flags (DEFAULT_CHROMIUM_ARGS for chromium, none otherwise). */
  launchArgs?: string[];
  /** Called when the browser process goes away unexpectedly (also emitted as 'browserDisconnected'). */
  onBrowserDisconnected?: (info: BrowserDisconnectedInfo) => void;
  /** Keep one context open ahead of the next session (default true); see openSession. */
  spareContext?: boolean;
}

interface OpenContext {
  context: BrowserContext;
  page: Page;
}

const LAUNCHERS: Record<BrowserName, BrowserType> = { chromium, firefox, webkit };

export class BrowserPool extends EventEmitter {
  private browser?: Browser;
  private launching?: Promise<Browser>;
  private readonly sessions = new Map<string, BrowserSession>();
  private launches = 0;
  private closed = false;
  /** A context opened ahead of the next session, with the options the last session asked for. */
  private spare?: { key: string; ready: Promise<OpenContext | undefined> };
  /** Sessions that started on a spare context (for tests and the benchmark). */
  sparesUsed = 0;

  constructor(private readonly opts: BrowserPoolOptions) {
    super();
  }

  get browserName(): BrowserName {
    return this.opts.browser;
  }

  /** Number of launches after the first (i.e. recoveries from a dead browser). */
  get relaunches(): number {
    return Math.max(0, this.launches - 1);
  }

  /** Number of sessions currently open. */
  get activeSessions(): number {
    return this.sessions.size;
  }

  /** The open sessions, oldest first. */
  listSessions(): BrowserSession[] {
    return [...this.sessions.values()];
  }

  getSession(id: string): BrowserSession | undefined {
    return this.sessions.get(id);
  }

  get isConnected(): boolean {
    return this.browser?.isConnected() ?? false;
  }

  /**
   * Opens a fresh, isolated context with one page; launches (or relaunches) the browser if needed.
   * Opening a context and its page takes Chromium 100–150 ms, on the path from a row's pickup to its first
   * step. So when a session closes the pool opens the next one's context ahead of time, with the same options
   * (the next row is usually the same job's): a session that matches takes it at once. Nothing has
   * run in a spare, so it is as fresh as a context opened on demand.
   */
  async openSession(opts: SessionOptions = {}): Promise<BrowserSession> {
    if (this.closed) throw new Error('BrowserPool is closed');
    const key = JSON.stringify(opts.viewport ?? null);
    const spare = await this.takeSpare(key);
    if (spare) this.sparesUsed++;
    const { context, page } = spare ?? (await this.openContext(opts));
    const session = new BrowserSession(context, page, this.opts.browser, {
      onClosed: (s) => {
        if (this.sessions.get(s.id) === s) this.sessions.delete(s.id);
        // Made now, when its row is done, rather than at open, where it would compete for CPU with the
        // row's own first step.
        if (this.opts.spareContext !== false) this.prepareSpare(key, opts);
      },
    });
    this.sessions.set(session.id, session);
    return session;
  }

  /** Resolves once the spare context (if one is being opened) is ready: for tests and benchmarks. */
  async spareReady(): Promise<boolean> {
    return (await this.spare?.ready) !== undefined;
  }

  private async openContext(opts: SessionOptions): Promise<OpenContext> {
    const browser = await this.ensureBrowser();
    const context = await browser.newContext(opts.viewport ? { viewport: opts.viewport } : {});
    try {
      return { context, page: await context.newPage() };
    } catch (err) {
      await context.close().catch(() => undefined);
      throw err;
    }
  }

  /** The spare, if it was opened with these options and is still alive; a mismatched one is closed. */
  private async takeSpare(key: string): Promise<OpenContext | undefined> {
    const spare = this.spare;
    if (!spare) return undefined;
    this.spare = undefined;
    const ready = await spare.ready;
    if (!ready) return undefined;
    if (spare.key === key && this.browser?.isConnected() && ready.context.browser() === this.browser && !ready.page.isClosed())
      return ready;
    void ready.context.close().catch(() => undefined); // in the background: this session need not wait for it
    return undefined;
  }

  private prepareSpare(key: string, opts: SessionOptions): void {
    // Never (re)launch a browser just for a spare: after a crash the next session relaunches it.
    if (this.spare || this.closed || !this.browser?.isConnected()) return;
    // A failed spare costs nothing: the next session opens its own context.
    this.spare = { key, ready: this.openContext(opts).catch(() => undefined) };
  }

  /**
   * PID of the browser process (chromium only, via CDP); undefined when unknown.
   * Used for diagnostics and by tests that simulate a crash.
   */
  async browserPid(): Promise<number | undefined> {
    if (this.opts.browser !== 'chromium' || !this.browser?.isConnected()) return undefined;
    const cdp = await this.browser.newBrowserCDPSession();
    try {
      const info = (await cdp.send('SystemInfo.getProcessInfo')) as {
        processInfo: Array<{ type: string; id: number }>;
      };
      return info.processInfo.find((p) => p.type === 'browser')?.id;
    } finally {
      await cdp.detach().catch(() => undefined);
    }
  }

  /** Closes every session and the browser. Safe to call more than once. */
  async close(): Promise<void> {
    this.closed = true;
    const sessions = [...this.sessions.values()];
    this.sessions.clear();
    const spare = this.spare;
    this.spare = undefined;
    await Promise.all([...sessions.map((s) => s.close()), spare?.ready.then((r) => r?.context.close().catch(() => undefined))]);
    const browser = this.browser ?? (await this.launching?.catch(() => undefined));
    this.browser = undefined;
    this.launching = undefined;
    if (browser) await browser.close().catch(() => undefined);
  }

  private ensureBrowser(): Promise<Browser> {
    if (this.browser?.isConnected()) return Promise.resolve(this.browser);
    // Concurrent openSession calls share one launch instead of racing several processes.
    if (!this.launching) {
      this.launching = this.launch().finally(() => {
        this.launching = undefined;
      });
    }
    return this.launching;
  }

  private async launch(): Promise<Browser> {
    const name = this.opts.browser;
    const launcher = LAUNCHERS[name];
    if (!launcher) throw new Error(`unsupported browser "${name}" (expected chromium, firefox or webkit)`);
    const executablePath = this.resolveExecutable();
    const args = this.opts.launchArgs ?? (name === 'chromium' ? DEFAULT_CHROMIUM_ARGS : []);
    const browser = await launcher.launch({
      executablePath,
      headless: this.opts.headless,
      args,
      // The worker owns shutdown: on SIGTERM it drains in-flight rows, which need their browser. Playwright's
      // defaults would close the browser on the signal and turn a graceful stop into lost sessions.
      handleSIGTERM: false,
      handleSIGINT: false,
      handleSIGHUP: false,
    });
    this.launches++;
    if (this.closed) {
      // close() ran while we were launching: do not leak the process.
      await browser.close().catch(() => undefined);
      throw new Error('BrowserPool is closed');
    }
    this.browser = browser;
    browser.on('disconnected', () => this.onDisconnected(browser));
    return browser;
  }

  private resolveExecutable(): string | undefined {
    const name = this.opts.browser;
    if (name === 'chromium') {
      const path = this.opts.executablePath ?? process.env.CHROMIUM_PATH ?? DEFAULT_CHROMIUM_PATH;
      if (!existsSync(path)) {
        throw new Error(`chromium executable not found at ${path}; set CHROMIUM_PATH or pass executablePath`);
      }
      return path;
    }
    // firefox/webkit need Playwright's patched builds; the system browsers will not work.
    const path = this.opts.executablePath ?? LAUNCHERS[name].executablePath();
    if (!path || !existsSync(path)) {
      throw new Error(
        `${name} is not installed (expected executable at ${path || '<unknown>'}); ` +
          `install it with "npx playwright install ${name}" or pass executablePath. Only chromium is available by default.`,
      );
    }
    return path;
  }

  private onDisconnected(browser: Browser): void {
    if (this.browser !== browser) return;
    this.browser = undefined;
    this.spare = undefined; // it died with the browser
    if (this.closed) return; // our own close()
    const lost = [...this.sessions.values()];
    this.sessions.clear();
    for (const s of lost) s.markLost('browser process disconnected');
    const info: BrowserDisconnectedInfo = { browser: this.opts.browser, lostSessionIds: lost.map((s) => s.id) };
    try {
      this.opts.onBrowserDisconnected?.(info);
    } catch {
      // observer errors must not break crash handling
    }
    this.emit('browserDisconnected', info);
  }
}
