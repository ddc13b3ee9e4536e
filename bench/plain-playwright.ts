/**
 * The P2 baselines, in this process with no Temporal in the path:
 * - 'playwright': a plain hand-written Playwright script — one browser launched with the worker's flags
 *   (DEFAULT_CHROMIUM_ARGS, same executable, headless), N contexts in parallel (one per row, like the system),
 *   each step the obvious Playwright call (BENCH_STEPS[i].plain).
 * - 'engine': the same rows through the worker's own row runner (a session lease + runRow, templating,
 *   selector racing, asserted events, per-type retries), i.e. everything the system does except Temporal. The
 *   gap system − engine is the Temporal cost, engine − playwright the engine's.
 * The browser is launched before and closed after the timed window: the worker's browser is warm too.
 */
import { chromium, type Browser } from 'playwright';
import { DEFAULT_CHROMIUM_ARGS } from '../src/browser/launch-options';
import { SessionRegistry } from '../src/browser/session-registry';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runRow } from '../src/browser/run-row';
import type { RowValues, Step } from '../src/recording/types';
import { BENCH_STEPS } from './lib/recording';

export type PlainKind = 'playwright' | 'engine';

const VIEWPORT = { width: 1280, height: 720 };
const STEP_TIMEOUT_MS = 5000;

export interface PlainRun {
  kind: PlainKind;
  wallMs: number;
  rows: number;
  steps: number;
  concurrency: number;
  /** Per row: context + page opened (ms). */
  openMs: number[];
  /** Per step index: every row's time for that step (ms). */
  stepMs: number[][];
  /** Per row, from context open to context closed. */
  rowMs: number[];
}

export interface PlainRunner {
  kind: PlainKind;
  run(rows: RowValues[], steps: number, concurrency: number, baseUrl: string): Promise<PlainRun>;
  close(): Promise<void>;
}

/** One row, start to end: open a context, run every step, close it; each step's duration in order. */
type RowRunner = (values: RowValues) => Promise<{ openMs: number; stepMs: number[] }>;

async function runLanes(kind: PlainKind, runRow: RowRunner, rows: RowValues[], steps: number, concurrency: number): Promise<PlainRun> {
  const stepMs: number[][] = Array.from({ length: steps }, () => []);
  const openMs: number[] = [];
  const rowMs: number[] = [];
  let next = 0;
  const started = Date.now();
  const lane = async () => {
    while (next < rows.length) {
      const values = rows[next++];
      const t0 = Date.now();
      const row = await runRow(values);
      openMs.push(row.openMs);
      row.stepMs.forEach((ms, i) => stepMs[i].push(ms));
      rowMs.push(Date.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, rows.length) }, lane));
  return { kind, wallMs: Date.now() - started, rows: rows.length, steps, concurrency, openMs, stepMs, rowMs };
}

export async function openPlainRunner(kind: PlainKind, executablePath: string): Promise<PlainRunner> {
  if (kind === 'playwright') {
    const browser: Browser = await chromium.launch({
      executablePath,
      headless: true,
      args: DEFAULT_CHROMIUM_ARGS,
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
    });
    return {
      kind,
      run: (rows, steps, concurrency, baseUrl) =>
        runLanes(
          kind,
          async (values) => {
            const t0 = Date.now();
            const context = await browser.newContext({ viewport: VIEWPORT });
            const page = await context.newPage();
            page.setDefaultTimeout(STEP_TIMEOUT_MS);
            const openMs = Date.now() - t0;
            const stepMs: number[] = [];
            try {
              for (let i = 0; i < steps; i++) {
                const t = Date.now();
                await BENCH_STEPS[i].plain(page, { ...values, baseUrl });
                stepMs.push(Date.now() - t);
              }
            } finally {
              await context.close();
            }
            return { openMs, stepMs };
          },
          rows,
          steps,
          concurrency,
        ),
      close: () => browser.close(),
    };
  }
  const registry = new SessionRegistry({ chromiumBuilds: { chromium: executablePath, headlessShell: executablePath } });
  let row = 0;
  const lease = () => registry.lease({ browser: 'chromium', headless: true, viewport: VIEWPORT, holder: { jobId: 'engine', row: ++row, attempt: 0 } });
  // Launch now, outside the timed window, like the warm worker's browser.
  await (await lease()).release();
  return {
    kind,
    run: (rows, steps, concurrency, baseUrl) => {
      const recorded = BENCH_STEPS.slice(0, steps).map((s) => s.step as unknown as Step);
      return runLanes(
        kind,
        async (values) => {
          const t0 = Date.now();
          const leased = await lease();
          const openMs = Date.now() - t0;
          const stepMs: number[] = [];
          try {
            // The worker's own row runner (what runRowAttempt calls), with the job config the system runs.
            const outcome = await runRow(
              leased.session,
              {
                steps: recorded,
                values,
                secretValues: [],
                defaults: { baseUrl },
                timeouts: { jobStepTimeoutMs: STEP_TIMEOUT_MS },
                timing: { mode: 'instant', speedMultiplier: 1 },
                screenshots: 'on-failure',
                screenshotPath: (i, kind) => join(tmpdir(), `bench-engine-row-step-${i}-${kind}.png`),
              },
              { signal: leased.signal, onAttempt: (a) => a.event !== 'started' && a.durationMs !== undefined && stepMs.push(a.durationMs) },
            );
            if (outcome.error) throw new Error(`engine row failed at step ${outcome.error.stepIndex}: ${outcome.error.message}`);
          } finally {
            await leased.release();
          }
          return { openMs, stepMs };
        },
        rows,
        steps,
        concurrency,
      );
    },
    close: () => registry.closeAll(),
  };
}
