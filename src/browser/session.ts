import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { BrowserContext, CDPSession, Frame, Page } from 'playwright';
import { StepError } from './errors';
import { toStepError } from './error-mapping';
import type { BrowserName, DeviceEmulation } from './types';
import { secretMaskLocators } from './secret-mask';
import { abortedError } from './wait';

/**
 * One isolated browser context (cookies, storage, popups) for one CSV data row.
 * Steps address pages by the recorder's `target` ('main' or a popup URL) and frames by index path.
 * A session ends exactly one way, which `ended` tells: closed by its owner ('released'), or gone under it
 * (context closed, page crashed, browser died: 'lost').
 */

export type SessionEnd = 'released' | 'lost';

/** Popup URLs are compared without a trailing slash: the recorder and the browser disagree on it for bare origins. */
export function normalizeUrl(url: string): string {
  return url.endsWith('/') ? url.slice(0, -1) : url;
}

export class BrowserSession {
  readonly id: string = randomUUID();
  /** Settles once, with how the session ended. */
  readonly ended: Promise<SessionEnd>;
  private end?: SessionEnd;
  private endReason?: string;
  private settle!: (end: SessionEnd) => void;
  private closing?: Promise<void>;
  private lastPage: Page;
  /** Every page of the context in opening order (main first, then popups). */
  private readonly pages: Page[] = [];
  /** Woken whenever a page opens or navigates, so pageFor needs no polling. */
  private readonly pageWaiters = new Set<() => void>();
  private readonly cdpSessions = new WeakMap<Page, Promise<CDPSession>>();

  constructor(
    readonly context: BrowserContext,
    readonly mainPage: Page,
    readonly browserName: BrowserName = 'chromium',
    /** What the context was created with (device-emulation.ts); absent: a desktop context. */
    readonly device?: DeviceEmulation,
  ) {
    this.ended = new Promise((resolve) => (this.settle = resolve));
    this.lastPage = mainPage;
    this.track(mainPage);
    context.on('page', (page) => this.track(page));
    // Playwright closes a context when its browser disconnects too, so this one event covers a dead browser.
    context.on('close', () => this.finish('lost', 'browser context closed'));
    mainPage.on('crash', () => this.finish('lost', 'main page crashed'));
  }

  /** The context dispatches touch events (a setViewport with hasTouch opened it). */
  get hasTouch(): boolean {
    return this.device?.hasTouch === true;
  }

  /** Neither released nor lost: steps can still run here. */
  get isOpen(): boolean {
    return this.end === undefined;
  }

  /** How and why the session ended, for error messages ("session lost: main page crashed"). */
  get endedBecause(): string | undefined {
    return this.end && `session ${this.end}: ${this.endReason}`;
  }

  private finish(end: SessionEnd, reason: string): void {
    if (this.end) return;
    this.end = end;
    this.endReason = reason;
    this.settle(end);
    this.wakePageWaiters();
  }

  /** Pages still open, in opening order. */
  openPages(): Page[] {
    return this.pages.filter((p) => !p.isClosed());
  }

  private track(page: Page): void {
    if (this.pages.includes(page)) return;
    this.pages.push(page);
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame()) this.wakePageWaiters();
    });
    page.on('close', () => this.wakePageWaiters());
    this.wakePageWaiters();
  }

  private wakePageWaiters(): void {
    for (const wake of [...this.pageWaiters]) wake();
  }

  private findPage(target: string): Page | undefined {
    const wanted = normalizeUrl(target);
    return this.openPages().find((p) => normalizeUrl(p.url()) === wanted);
  }

  /**
   * The page a step targets. Popups often open as about:blank and navigate afterwards, so
   * we wait (event driven) until some open page has the target URL.
   */
  async pageFor(target: string | undefined, timeoutMs: number, signal?: AbortSignal): Promise<Page> {
    this.assertUsable();
    if (target === undefined || target === '' || target === 'main') {
      if (this.mainPage.isClosed()) throw new StepError('SessionLost', 'the main page has been closed');
      this.lastPage = this.mainPage;
      return this.mainPage;
    }
    const page = await new Promise<Page>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const finish = (err?: Error, found?: Page) => {
        this.pageWaiters.delete(check);
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        if (err) reject(err);
        else resolve(found as Page);
      };
      const check = () => {
        if (this.end) return finish(new StepError('SessionLost', this.endedBecause!));
        const found = this.findPage(target);
        if (found) finish(undefined, found);
      };
      const onAbort = () => finish(abortedError(signal as AbortSignal));
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      timer = setTimeout(
        () => {
          const open = this.openPages().map((p) => p.url());
          finish(new StepError('StepTimeout', `no page with url ${target} opened within ${timeoutMs}ms (open pages: ${open.join(', ')})`));
        },
        Math.max(1, timeoutMs),
      );
      this.pageWaiters.add(check);
      check();
    });
    this.lastPage = page;
    return page;
  }

  /**
   * Resolves the recorder's frame index path (child frame indexes from the main frame).
   * Synchronous like @puppeteer/replay; callers that expect late iframes retry on InvalidStep.
   */
  frameFor(page: Page, framePath?: number[]): Frame {
    let frame = page.mainFrame();
    if (!framePath || framePath.length === 0) return frame;
    for (let depth = 0; depth < framePath.length; depth++) {
      const children = frame.childFrames();
      const child = children[framePath[depth]];
      if (!child) {
        throw new StepError(
          'InvalidStep',
          `frame path [${framePath.join(',')}] is invalid: no child frame ${framePath[depth]} at depth ${depth} (it has ${children.length})`,
        );
      }
      frame = child;
    }
    return frame;
  }

  /**
   * One CDP session per page, kept alive for the page's lifetime: Chromium drops emulation
   * overrides (network conditions) when the session that set them detaches.
   */
  cdpSession(page: Page): Promise<CDPSession> {
    if (this.browserName !== 'chromium') {
      return Promise.reject(new StepError('InvalidStep', `CDP is only available in chromium, not ${this.browserName}`));
    }
    let session = this.cdpSessions.get(page);
    if (!session) {
      session = this.context.newCDPSession(page);
      session.catch(() => this.cdpSessions.delete(page));
      this.cdpSessions.set(page, session);
    }
    return session;
  }

  /**
   * Full-page screenshot of the page the last step used (falling back to any open page), with every element
   * showing one of `secretValues` masked.
   */
  async screenshot(filePath: string, opts: { secretValues?: readonly string[] } = {}): Promise<string> {
    this.assertUsable();
    const page = [this.lastPage, this.mainPage, ...this.openPages()].find((p) => !p.isClosed());
    if (!page) throw new StepError('SessionLost', 'no open page to screenshot');
    await mkdir(dirname(filePath), { recursive: true });
    try {
      const mask = await secretMaskLocators(page, opts.secretValues ?? []);
      await page.screenshot({ path: filePath, fullPage: true, timeout: 15_000, mask });
    } catch (err) {
      throw toStepError(err, { what: 'screenshot' });
    }
    return filePath;
  }

  /** Ends the session as 'released'. Idempotent and never throws: it runs in cleanup paths, often after the browser died. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      // First, so the context's 'close' event does not record it as lost.
      this.finish('released', 'session closed');
      try {
        // A hung browser must not hang cleanup; the pool's close() kills the process anyway.
        await Promise.race([this.context.close(), new Promise((ok) => setTimeout(ok, 10_000).unref())]);
      } catch {
        // already gone
      }
    })();
    return this.closing;
  }

  private assertUsable(): void {
    if (this.end) throw new StepError('SessionLost', this.endedBecause!);
  }
}
