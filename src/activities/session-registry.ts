import { BrowserPool } from '../browser/browser-pool';
import type { BrowserSession } from '../browser/session';
import type { BrowserName } from '../browser/types';
import type { RowValues } from '../recording/types';

export interface HeldSession {
  session: BrowserSession;
  jobId: string;
  row: number;
  values: RowValues;
  defaults: Record<string, string>;
  /** Resolves when the row releases the session. */
  released: Promise<void>;
  release: () => void;
}

export interface SessionRegistryOptions {
  executablePath?: string;
  launchArgs?: string[];
}

/**
 * The browser sessions this worker holds, by id. One browser per (engine, headless) pair, one context per
 * session; the activities of a row find their page here.
 */
export class SessionRegistry {
  private readonly pools = new Map<string, BrowserPool>();
  private readonly sessions = new Map<string, HeldSession>();
  sessionsExecuted = 0;
  /** Sessions that ended with their browser gone (crash), for runner_health.failures. */
  sessionsLost = 0;
  /** Why the last browser launch failed, until a launch succeeds again (reported by /health). */
  lastLaunchError?: string;

  constructor(private readonly options: SessionRegistryOptions = {}) {}

  get activeSessions(): number {
    return this.sessions.size;
  }

  get browserRelaunches(): number {
    return [...this.pools.values()].reduce((n, p) => n + p.relaunches, 0);
  }

  /** Browsers launch lazily: "not connected" before the first session is normal. */
  browserStatus(): { connected: boolean; relaunches: number; launchError?: string } {
    const connected = [...this.pools.values()].some((p) => p.isConnected);
    return { connected, relaunches: this.browserRelaunches, ...(this.lastLaunchError ? { launchError: this.lastLaunchError } : {}) };
  }

  private pool(browser: BrowserName, headless: boolean): BrowserPool {
    const key = `${browser}:${headless}`;
    let pool = this.pools.get(key);
    if (!pool) {
      pool = new BrowserPool({ browser, headless, executablePath: this.options.executablePath, launchArgs: this.options.launchArgs });
      this.pools.set(key, pool);
    }
    return pool;
  }

  async open(args: {
    browser: BrowserName;
    headless: boolean;
    viewport: { width: number; height: number };
    jobId: string;
    row: number;
    values: RowValues;
    defaults: Record<string, string>;
  }): Promise<HeldSession> {
    let session: BrowserSession;
    try {
      session = await this.pool(args.browser, args.headless).openSession({ viewport: args.viewport });
      this.lastLaunchError = undefined;
    } catch (err) {
      this.lastLaunchError = err instanceof Error ? err.message : String(err);
      throw err;
    }
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const held: HeldSession = {
      session,
      jobId: args.jobId,
      row: args.row,
      values: args.values,
      defaults: args.defaults,
      released,
      release,
    };
    this.sessions.set(session.id, held);
    this.sessionsExecuted++;
    return held;
  }

  get(sessionId: string): HeldSession | undefined {
    return this.sessions.get(sessionId);
  }

  /** Closes the session's context (so any step still running on it fails fast) and wakes its holder. */
  async release(sessionId: string): Promise<void> {
    const held = this.sessions.get(sessionId);
    if (!held) return;
    if (held.session.isLost) this.sessionsLost++;
    this.sessions.delete(sessionId);
    // Wake the holder first: a closing context must read as "released", not as a lost session.
    held.release();
    await held.session.close();
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.sessions.keys()].map((id) => this.release(id)));
    await Promise.all([...this.pools.values()].map((p) => p.close()));
    this.pools.clear();
  }
}
