/**
 * Against the format's reference runner: a data-driven recording written the way Chrome's Recorder writes it
 * (setViewport, navigate with asserted events, a form with a text field, a select and a checkbox, a stale
 * first selector, a submit answered after 600 ms) over N CSV rows at concurrency 1, timing `instant`, through
 * the system (a job on a warm worker) and through @puppeteer/replay on the same Chromium, alternating.
 *
 * Per row: the system's wall time per row (startExecution → summary, divided by rows: everything a user waits
 * for) and each row workflow's own duration; the reference's time per replay (context, page, every step,
 * context closed).
 */
import type { UserFlow } from '@puppeteer/replay';
import { applyTemplate } from '../src/recording/templating';
import type { RowValues } from '../src/recording/types';
import { openReferenceRunner } from '../test/support/reference-replay';
import { newJobId, runJob, type BenchContext, type BenchWorker } from './lib/setup';
import { median, round, summarize, type Summary } from './lib/stats';

const sel = (id: string, aria: string) => [[`aria/${aria}`], [`#${id}`], [`xpath///*[@id="${id}"]`], [`pierce/#${id}`]];

/** 8 steps, as Chrome's Recorder exports them. */
export const SIGNUP_RECORDING = {
  title: 'signup, data-driven',
  steps: [
    { type: 'setViewport', width: 1280, height: 720, deviceScaleFactor: 1, isMobile: false, hasTouch: false, isLandscape: false },
    {
      type: 'navigate',
      url: '{{baseUrl}}/signup.html',
      assertedEvents: [{ type: 'navigation', url: '{{baseUrl}}/signup.html', title: 'Sign up | Bench shop' }],
    },
    // The first alternative is stale (the field was renamed since the recording): the others still match.
    { type: 'click', target: 'main', selectors: [['#name'], ...sel('full-name', 'Full name')], offsetX: 40, offsetY: 9 },
    { type: 'change', target: 'main', selectors: sel('full-name', 'Full name'), value: '{{name}}' },
    { type: 'change', target: 'main', selectors: sel('plan', 'Plan'), value: '{{plan}}' },
    { type: 'click', target: 'main', selectors: sel('terms', 'I accept the terms'), offsetX: 6, offsetY: 6 },
    { type: 'click', target: 'main', selectors: sel('create', 'Create account'), offsetX: 30, offsetY: 10 },
    { type: 'waitForElement', target: 'main', selectors: [['#welcome']] },
  ],
};

const PLANS = ['basic', 'pro', 'team'];
const rowsOf = (n: number): RowValues[] => Array.from({ length: n }, (_, i) => ({ name: `Customer ${i + 1}`, plan: PLANS[i % 3] }));
const csvOf = (rows: RowValues[]) => ['name,plan', ...rows.map((r) => `${r.name},${r.plan}`)].join('\n') + '\n';

export interface ReplayResult {
  rows: number;
  reps: number;
  /** System: job wall time ÷ rows, per rep. */
  systemWallPerRowMs: number[];
  /** System: each row workflow's own duration (durationMs in the summary). */
  systemRowMs: Summary;
  /** Reference: each replay. */
  referenceRowMs: Summary;
  /** Medians: system wall per row ÷ reference per row (the target: ≤ 1). */
  ratio: number;
  failures: { system: number; reference: number };
}

export async function benchReplayReference(ctx: BenchContext, bw: BenchWorker): Promise<ReplayResult> {
  const { replayRows: n, replayReps: reps } = ctx.opts;
  const rows = rowsOf(n);
  const reference = await openReferenceRunner(ctx.chromiumPath);
  const flows = rows.map((values) => applyTemplate(SIGNUP_RECORDING, values, { baseUrl: ctx.site.url }) as unknown as UserFlow);
  const systemWall: number[] = [];
  const systemRows: number[] = [];
  const referenceRows: number[] = [];
  const failures = { system: 0, reference: 0 };
  const runSystem = async () => {
    const run = await runJob(bw, {
      jobId: newJobId('replay'),
      recording: SIGNUP_RECORDING,
      csv: csvOf(rows),
      // The baseline keeps no trace; what the default trace (retain-on-failure) costs is --only=artifacts.
      config: { trace: 'off', maxConcurrentRows: 1, defaults: { baseUrl: ctx.site.url } },
    });
    failures.system += run.summary.rows.failed + run.summary.rows.cancelled;
    return run;
  };
  const runReference = async () => {
    const out = [];
    for (const flow of flows) out.push(await reference.replay(flow));
    failures.reference += out.filter((o) => !o.passed).length;
    return out;
  };
  try {
    // Warm both (browser launched, code paths hot), unmeasured.
    await runSystem();
    await runReference();
    failures.system = failures.reference = 0;
    for (let rep = 0; rep < reps; rep++) {
      for (const which of rep % 2 === 0 ? (['system', 'reference'] as const) : (['reference', 'system'] as const)) {
        if (which === 'system') {
          const run = await runSystem();
          systemWall.push(round(run.wallMs / n));
          systemRows.push(...run.summary.results.map((r) => r.durationMs));
        } else {
          referenceRows.push(...(await runReference()).map((o) => o.durationMs));
        }
      }
    }
  } finally {
    await reference.close();
  }
  return {
    rows: n,
    reps,
    systemWallPerRowMs: systemWall,
    systemRowMs: summarize(systemRows),
    referenceRowMs: summarize(referenceRows),
    ratio: round(median(systemWall) / median(referenceRows), 2),
    failures,
  };
}
