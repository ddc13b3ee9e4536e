import { join } from 'node:path';
import { BrowserPool } from '../../src/browser/browser-pool';
import { StepError } from '../../src/browser/errors';
import type { BrowserSession } from '../../src/browser/session';
import { executeStep } from '../../src/browser/step-engine';
import type { StepContext, StepOutcome } from '../../src/browser/types';
import type { Step } from '../../src/recording/types';
import { startStaticServer, type StaticServer } from '../../src/support/static-server';

/** Shared fixture plumbing: one static server and one BrowserPool per test file. */

export const PAGES_DIR = join(__dirname, '..', 'fixtures', 'pages');

export interface BrowserFixture {
  pool: BrowserPool;
  server: StaticServer;
  url(page: string): string;
  /** A fresh session already at `page` (closed in afterEach by closeSessions). */
  open(page?: string): Promise<BrowserSession>;
  run(session: BrowserSession, step: Step, ctx?: Partial<StepContext>): Promise<StepOutcome>;
  closeSessions(): Promise<void>;
  teardown(): Promise<void>;
}

export function newPool(): BrowserPool {
  return new BrowserPool({ browser: 'chromium', headless: true });
}

export async function setupBrowser(): Promise<BrowserFixture> {
  const server = await startStaticServer(PAGES_DIR);
  const pool = newPool();
  const url = (page: string) => `${server.url}/${page}`;
  const sessions: BrowserSession[] = [];
  return {
    pool,
    server,
    url,
    async open(page) {
      const session = await pool.openSession({});
      sessions.push(session);
      if (page) await session.mainPage.goto(url(page));
      return session;
    },
    run: (session, step, ctx = {}) => executeStep(session, step, { timeoutMs: 3000, ...ctx }),
    async closeSessions() {
      await Promise.all(sessions.splice(0).map((s) => s.close()));
    },
    async teardown() {
      await pool.close();
      await server.close();
    },
  };
}

/** Resolves with the StepError a promise rejects with (fails the test if it resolves or throws something else). */
export async function stepError(promise: Promise<unknown>): Promise<StepError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof StepError) return err;
    throw new Error(`expected a StepError, got ${String(err)}`);
  }
  throw new Error('expected the step to fail, but it succeeded');
}

/** Milliseconds a promise takes to settle (either way). */
export async function timed<T>(promise: Promise<T>): Promise<{ ms: number; result?: T; error?: unknown }> {
  const start = Date.now();
  try {
    const result = await promise;
    return { ms: Date.now() - start, result };
  } catch (error) {
    return { ms: Date.now() - start, error };
  }
}
