import type { Browser, BrowserContext, Page } from 'playwright';
import { sandboxLaunchOptions, secureContext, type BrowserSecurity } from './browser-sandbox';
import { playwrightContextOptions } from './device-emulation';
import { EgressProxy } from './egress-proxy';
import { defaultLaunchArgs, LAUNCHERS, resolveExecutable, type ChromiumExecutables } from './launch-options';
import { registerMainWorldEngine } from './main-world';
import { parseHostPolicy } from './url-policy';
import type { BrowserName, ContextOptions } from './types';

/**
 * One browser process, shared by many sessions (one BrowserContext per data row): contexts are cheap and
 * isolated, processes are not. The process is launched lazily and relaunched after a crash, so a worker
 * survives a dead browser without restarting. Which sessions are open is the registry's business
 * (session-registry.ts); a crash reaches them through their own context's 'close' event.
 */

export interface BrowserPoolOptions {
  browser: BrowserName;
  headless: boolean;
  chromiumBuilds?: ChromiumExecutables;
  /** Replaces the default launch flags (launch-options.ts). */
  launchArgs?: string[];
  /** Keep one context open ahead of the next session (default true); see openContext. */
  spareContext?: boolean;
  /** Navigation policy and the browser's sandbox (browser-sandbox.ts); default: DEFAULT_BLOCKED_HOSTS, no allow list. */
  security?: BrowserSecurity;
}

export interface OpenContext {
  context: BrowserContext;
  page: Page;
}

export interface BrowserPoolStats {
  connected: boolean;
  /** Launches after the first: recoveries from a dead browser. */
  relaunches: number;
  /** Sessions that started on a context opened ahead of time. */
  sparesUsed: number;
  /** A context is open and waiting for the next session. */
  spareOpen: boolean;
}

const contextKey = (options: ContextOptions): string => JSON.stringify(options);

export class BrowserPool {
  private browser?: Browser;
  private launching?: Promise<Browser>;
  private launches = 0;
  private sparesUsed = 0;
  private closed = false;
  /** A context opened ahead of the next session, with the options the last session asked for. */
  private spare?: { key: string; ready: Promise<OpenContext | undefined>; opened?: OpenContext };

  private security: BrowserSecurity;

  constructor(private readonly opts: BrowserPoolOptions) {
    this.security = opts.security ?? { hostPolicy: parseHostPolicy() };
  }

  stats(): BrowserPoolStats {
    return {
      connected: this.browser?.isConnected() ?? false,
      relaunches: Math.max(0, this.launches - 1),
      sparesUsed: this.sparesUsed,
      spareOpen: this.spare?.opened !== undefined,
    };
  }

  /**
   * A fresh, isolated context with one page; launches (or relaunches) the browser if needed. Opening one
   * takes Chromium 100–150 ms, on the path from a row's pickup to its first step, so when a session closes
   * the pool opens the next one ahead of time with the same options (the next row is usually the same
   * job's): a session that matches takes it at once. Nothing has run in a spare, so it is as fresh as a
   * context opened on demand.
   */
  async openContext(options: ContextOptions): Promise<OpenContext> {
    if (this.closed) throw new Error('the browser pool is closed');
    const spare = await this.takeSpare(contextKey(options));
    if (spare) {
      this.sparesUsed++;
      return spare;
    }
    return this.newContext(options);
  }

  /**
   * A session with these options has closed: open the next one's context now, when its row is done, rather
   * than at the next open, where it would compete for CPU with that row's first step.
   */
  prepareSpare(options: ContextOptions): void {
    // Never (re)launch a browser just for a spare: after a crash the next session relaunches it.
    if (this.opts.spareContext === false || this.spare || this.closed || !this.browser?.isConnected()) return;
    const spare: NonNullable<BrowserPool['spare']> = {
      key: contextKey(options),
      // A failed spare costs nothing: the next session opens its own context.
      ready: this.newContext(options).then(
        (opened) => (spare.opened = opened),
        () => undefined,
      ),
    };
    this.spare = spare;
  }

  /** Closes the spare and the browser. Contexts still open die with it. Safe to call more than once. */
  async close(): Promise<void> {
    this.closed = true;
    const spare = this.spare;
    this.spare = undefined;
    await spare?.ready.then((r) => r?.context.close().catch(() => undefined));
    const browser = this.browser ?? (await this.launching?.catch(() => undefined));
    this.browser = undefined;
    this.launching = undefined;
    if (browser) await browser.close().catch(() => undefined);
    await this.security.egressProxy?.close();
  }

  private async newContext(options: ContextOptions): Promise<OpenContext> {
    const browser = await this.ensureBrowser();
    const context = await browser.newContext(playwrightContextOptions(options, this.opts.browser));
    try {
      const page = await context.newPage();
      // Before anything runs in it: the navigation policy and a downloads directory of its own.
      await secureContext(context, page, this.opts.browser, this.security);
      return { context, page };
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
    if (spare.key === key && ready.context.browser() === this.browser && this.browser?.isConnected() && !ready.page.isClosed())
      return ready;
    void ready.context.close().catch(() => undefined); // in the background: this session need not wait for it
    return undefined;
  }

  private ensureBrowser(): Promise<Browser> {
    if (this.browser?.isConnected()) return Promise.resolve(this.browser);
    // Concurrent opens share one launch instead of racing several processes.
    this.launching ??= this.launch().finally(() => (this.launching = undefined));
    return this.launching;
  }

  private async launch(): Promise<Browser> {
    const name = this.opts.browser;
    const executablePath = resolveExecutable(name, this.opts.headless, this.opts.chromiumBuilds);
    // The headless shell runs no PAC script: the worker's egress proxy enforces the host rules for it.
    if (name === 'chromium' && executablePath === this.opts.chromiumBuilds?.headlessShell && !this.security.egressProxy) {
      this.security = { ...this.security, egressProxy: await EgressProxy.start(this.security.hostPolicy) };
    }
    await registerMainWorldEngine();
    // The sandbox's flags (policy, no permission prompts) and scrubbed environment apply whatever flags are given.
    const sandbox = sandboxLaunchOptions(name, this.security);
    const browser = await LAUNCHERS[name].launch({
      executablePath,
      headless: this.opts.headless,
      args: [...(this.opts.launchArgs ?? defaultLaunchArgs(name)), ...sandbox.args],
      env: sandbox.env,
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
      throw new Error('the browser pool is closed');
    }
    this.browser = browser;
    browser.on('disconnected', () => {
      if (this.browser !== browser) return;
      this.browser = undefined;
      this.spare = undefined; // it died with the browser
    });
    return browser;
  }
}
