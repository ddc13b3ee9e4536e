/**
 * The P2 baselines, in this process with no Temporal in the path:
 * - 'playwright': a plain hand-written Playwright script — one browser launched with the worker's flags
 *   (DEFAULT_CHROMIUM_ARGS, same executable, headless), N contexts in parallel (one per row, like the system),
 *   each step the obvious Playwright call (BENCH_STEPS[i].plain).
 * - 'engine': the same rows through the project's own step engine (BrowserPool + executeStep, templating per
 *   step as runStep does), i.e. everything the system does per step except Temporal. The gap system − engine
 *   is the Temporal cost, engine − playwright the engine's (selector racing, aria unions, assertions).
 * The browser is launched before and closed after the timed window: the worker's browser is warm too.
 */
import { chromium, type Browser } from 'playwright';
import { BrowserPool, DEFAULT_CHROMIUM_ARGS } from '../src/browser/browser-pool';
import { executeStep } from '../src/browser/step-engine';
import { applyTemplate } from '../src/recording/templating';
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

interface Lane {
  open(): Promise<{ doStep(i: number, values: RowValues): Promise<void>; close(): Promise<void> }>;
}

async function runLanes(kind: PlainKind, lane: Lane, rows: RowValues[], steps: number, concurrency: number): Promise<PlainRun> {
  const stepMs: number[][] = Array.from({ length: steps }, () => []);
  const openMs: number[] = [];
  const rowMs: number[] = [];
  let next = 0;
  const started = Date.now();
  const worker = async () => {
    while (next < rows.length) {
      const values = rows[next++];
      const t0 = Date.now();
      const session = await lane.open();
      openMs.push(Date.now() - t0);
      try {
        for (let i = 0; i < steps; i++) {
          const t = Date.now();
          await session.doStep(i, values);
          stepMs[i].push(Date.now() - t);
        }
      } finally {
        await session.close();
      }
      rowMs.push(Date.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, rows.length) }, worker));
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
          {
            async open() {
              const context = await browser.newContext({ viewport: VIEWPORT });
              const page = await context.newPage();
              page.setDefaultTimeout(STEP_TIMEOUT_MS);
              return {
                doStep: async (i, values) => void (await BENCH_STEPS[i].plain(page, { ...values, baseUrl })),
                close: () => context.close(),
              };
            },
          },
          rows,
          steps,
          concurrency,
        ),
      close: () => browser.close(),
    };
  }
  const pool = new BrowserPool({ browser: 'chromium', headless: true, executablePath });
  // Launch now, outside the timed window, like the warm worker's browser.
  await (await pool.openSession({ viewport: VIEWPORT })).close();
  return {
    kind,
    run: (rows, steps, concurrency, baseUrl) =>
      runLanes(
        kind,
        {
          async open() {
            const session = await pool.openSession({ viewport: VIEWPORT });
            return {
              doStep: async (i, values) => {
                const step = applyTemplate(BENCH_STEPS[i].step as unknown as Step, values, { baseUrl });
                await executeStep(session, step, { timeoutMs: STEP_TIMEOUT_MS });
              },
              close: () => session.close(),
            };
          },
        },
        rows,
        steps,
        concurrency,
      ),
    close: () => pool.close(),
  };
}
