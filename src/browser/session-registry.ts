import { resolveToolPaths } from '../support/tools';
import { BrowserPool } from './browser-pool';
import type { BrowserSecurity } from './browser-sandbox';
import { StepError } from './errors';
import type { ChromiumExecutables } from './launch-options';
import { BrowserSession } from './session';
import type { BrowserName, ContextOptions } from './types';

/** Who holds a lease: for logs and for /health's list of what a worker is running. */
export interface LeaseHolder {
  jobId: string;
  row: number;
  /** Which session of the row: 0, then 1 after a restart... */
  attempt: number;
}

export interface LeaseRequest extends ContextOptions {
  browser: BrowserName;
  headless: boolean;
  holder: LeaseHolder;
  /** The holder's own reason to stop (its row was cancelled, the worker shuts down): ends the lease's work. */
  signal?: AbortSignal;
}

/**
 * A browser session held for one attempt of a row. Everything that can stop the row's work on it is one
 * signal: the holder giving up (`request.signal`) or the session being lost under it (crash, dead browser).
 */
export interface SessionLease {
  readonly holder: LeaseHolder;
  readonly session: BrowserSession;
  /** Aborts when the work must stop; its reason says why (a StepError 'SessionLost' when the session was lost). */
  readonly signal: AbortSignal;
  /** Closes the session ('released') and lets the pool prepare the next one. Idempotent. */
  release(): Promise<void>;
}

export interface SessionRegistryOptions {
  /** Default: what scripts/setup.mjs found (CHROMIUM_PATH, CHROMIUM_HEADLESS_SHELL_PATH override it). */
  chromiumBuilds?: ChromiumExecutables;
  launchArgs?: string[];
  /** Keep a context open ahead of the next session (default true). */
  spareContext?: boolean;
  /** The navigation policy and sandbox every browser and context gets (default: browser-pool.ts). */
  security?: BrowserSecurity;
}

export interface SessionRegistryStats {
  activeSessions: number;
  sessionsOpened: number;
  /** Sessions that ended lost (browser crash, page crash) rather than released. */
  sessionsLost: number;
  browser: { connected: boolean; relaunches: number; sparesUsed: number; spareOpen: boolean; launchError?: string };
}

/**
 * The browser sessions this worker holds: the one place that knows them. One browser per (engine, headless)
 * pair, one context per session.
 */
export class SessionRegistry {
  private readonly pools = new Map<string, BrowserPool>();
  private readonly open = new Map<BrowserSession, { holder: LeaseHolder; since: number }>();
  private opened = 0;
  private lost = 0;
  private closed = false;
  /** Why the last browser launch failed, until a launch succeeds again (reported by /health). */
  private launchError?: string;

  private readonly chromiumBuilds: ChromiumExecutables;

  constructor(private readonly options: SessionRegistryOptions = {}) {
    const found = resolveToolPaths();
    this.chromiumBuilds = options.chromiumBuilds ?? { chromium: found.chromium, headlessShell: found.chromiumHeadlessShell };
  }

  get activeSessions(): number {
    return this.open.size;
  }

  /** The rows this worker holds a session for now, oldest first. */
  holders(): Array<LeaseHolder & { since: number }> {
    return [...this.open.values()].map(({ holder, since }) => ({ ...holder, since }));
  }

  stats(): SessionRegistryStats {
    const pools = [...this.pools.values()].map((p) => p.stats());
    return {
      activeSessions: this.open.size,
      sessionsOpened: this.opened,
      sessionsLost: this.lost,
      browser: {
        connected: pools.some((p) => p.connected),
        relaunches: pools.reduce((n, p) => n + p.relaunches, 0),
        sparesUsed: pools.reduce((n, p) => n + p.sparesUsed, 0),
        spareOpen: pools.some((p) => p.spareOpen),
        ...(this.launchError ? { launchError: this.launchError } : {}),
      },
    };
  }

  async lease(request: LeaseRequest): Promise<SessionLease> {
    request.signal?.throwIfAborted();
    if (this.closed) throw new Error('the session registry is closed (worker shutting down)');
    const pool = this.pool(request.browser, request.headless);
    const contextOptions: ContextOptions = { viewport: request.viewport, ...(request.device ? { device: request.device } : {}) };
    let session: BrowserSession;
    try {
      const { context, page } = await pool.openContext(contextOptions);
      session = new BrowserSession(context, page, request.browser, request.device);
      this.launchError = undefined;
    } catch (err) {
      this.launchError = err instanceof Error ? err.message : String(err);
      throw err;
    }
    this.open.set(session, { holder: request.holder, since: Date.now() });
    this.opened++;

    const lostSession = new AbortController();
    void session.ended.then((end) => {
      this.open.delete(session);
      if (end === 'lost') {
        this.lost++;
        lostSession.abort(new StepError('SessionLost', session.endedBecause!));
      } else {
        pool.prepareSpare(contextOptions);
      }
    });
    const signal = request.signal ? AbortSignal.any([request.signal, lostSession.signal]) : lostSession.signal;
    return { holder: request.holder, session, signal, release: () => session.close() };
  }

  /** Closes every session and browser (worker shutdown). */
  async closeAll(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.open.keys()].map((s) => s.close()));
    await Promise.all([...this.pools.values()].map((p) => p.close()));
    this.pools.clear();
  }

  private pool(browser: BrowserName, headless: boolean): BrowserPool {
    const key = `${browser}:${headless}`;
    let pool = this.pools.get(key);
    if (!pool) {
      pool = new BrowserPool({
        browser,
        headless,
        chromiumBuilds: this.chromiumBuilds,
        launchArgs: this.options.launchArgs,
        spareContext: this.options.spareContext,
        security: this.options.security,
      });
      this.pools.set(key, pool);
    }
    return pool;
  }
}
