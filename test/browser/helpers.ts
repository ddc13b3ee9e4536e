import { join } from 'node:path';
import { StepError } from '../../src/browser/errors';
import type { BrowserSession } from '../../src/browser/session';
import { SessionRegistry } from '../../src/browser/session-registry';
import { executeStep } from '../../src/browser/step-engine';
import type { StepContext, StepOutcome } from '../../src/browser/types';
import type { Step } from '../../src/recording/types';
import { startStaticServer, type StaticServer } from '../../src/support/static-server';

/** Shared fixture plumbing: one static server and one SessionRegistry per test file. */

export const PAGES_DIR = join(__dirname, '..', 'fixtures', 'pages');

export interface BrowserFixture {
  sessions: SessionRegistry;
  server: StaticServer;
  url(page: string): string;
  /** A fresh session already at `page` (closed in afterEach by closeSessions). */
  open(page?: string): Promise<BrowserSession>;
  run(session: BrowserSession, step: Step, ctx?: Partial<StepContext>): Promise<StepOutcome>;
  closeSessions(): Promise<void>;
  teardown(): Promise<void>;
}

export async function setupBrowser(): Promise<BrowserFixture> {
  const server = await startStaticServer(PAGES_DIR);
  const registry = new SessionRegistry();
  const url = (page: string) => `${server.url}/${page}`;
  const sessions: BrowserSession[] = [];
  return {
    sessions: registry,
    server,
    url,
    async open(page) {
      const { session } = await registry.lease({ browser: 'chromium', headless: true, holder: { jobId: 'browser-test', row: 1, attempt: 0 } });
      sessions.push(session);
      if (page) await session.mainPage.goto(url(page));
      return session;
    },
    run: (session, step, ctx = {}) => executeStep(session, step, { timeoutMs: 3000, ...ctx }),
    async closeSessions() {
      await Promise.all(sessions.splice(0).map((s) => s.close()));
    },
    async teardown() {
      await registry.closeAll();
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
