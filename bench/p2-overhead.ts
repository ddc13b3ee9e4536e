/**
 * P2 overhead: one recording of R rows × S steps at concurrency C, timing `instant`, through the system
 * (job maxConcurrentRows C on a worker with MAX_CONCURRENT_SESSIONS C), against the plain Playwright script and
 * the step engine without Temporal (bench/plain-playwright.ts), in the same run, rotating the order per rep.
 * Also the per-step round trip: every runStep's history (workflow task + activity task timings) against the
 * activity's own durationMs, and CPU time per step by process group.
 */
import { rowWorkflowId } from '../src/workflows/definitions';
import { activityTimings, fetchEvents, stepBreakdown, type StepBreakdown } from './lib/history';
import { cpuDelta, sampleCpu, type CpuDelta } from './lib/proc';
import { BENCH_STEPS, benchCsv, benchRecording, benchRows } from './lib/recording';
import { newJobId, runJob, type BenchContext, type BenchWorker } from './lib/setup';
import { mean, median, round, summarize, type Summary } from './lib/stats';
import { openPlainRunner, type PlainKind, type PlainRun } from './plain-playwright';

type Variant = 'system' | PlainKind;
type Cpu = CpuDelta;

export interface P2Result {
  rows: number;
  steps: number;
  concurrency: number;
  reps: number;
  wallMs: Record<Variant, number[]>;
  medianWallMs: Record<Variant, number>;
  /** system ÷ plain Playwright (the target), and system ÷ engine (Temporal alone). */
  ratio: number;
  ratioVsEngine: number;
  /** CPU ms per executed step, by process group, mean over reps. */
  cpuMsPerStep: Record<Variant, { node: number; chromium: number; temporal: number; total: number; wallMsPerStep: number }>;
  /** Cores busy outside this bench during each variant's runs (mean): other work on the machine. */
  foreignCores: Record<Variant, number>;
  /** Steps 1..S-1 of every system row (step 0 follows the session-ready signal, see P1). */
  stepBreakdownMs: Record<keyof StepBreakdown, Summary>;
  /** Per step index, mean ms: plain Playwright, engine without Temporal, engine inside the worker, system total. */
  perStep: Array<{ index: number; type: string; playwright: number; engine: number; workerEngine: number; system: number }>;
  /** Per row (system): session acquisition, steps, release/teardown; and the baselines' whole rows. */
  rowMs: { systemSetup: Summary; systemSteps: Summary; systemTeardown: Summary; systemRow: Summary; playwrightRow: Summary; engineRow: Summary };
  /** System row setup split: row started → holdSession scheduled → running on the worker → context open → first runStep scheduled. */
  setupMs: { rowFirstWft: Summary; holdQueue: Summary; openContext: Summary; signalToStep: Summary };
}

async function runSystem(ctx: BenchContext, bw: BenchWorker, rows: number, steps: number, concurrency: number) {
  const jobId = newJobId('p2');
  const before = sampleCpu(ctx.server.process.pid);
  const run = await runJob(bw, {
    jobId,
    recording: benchRecording(steps),
    csv: benchCsv(rows),
    config: { maxConcurrentRows: concurrency, defaults: { baseUrl: ctx.site.url } },
  });
  const cpu = cpuDelta(before, sampleCpu(ctx.server.process.pid));
  return { run, cpu };
}

export async function benchOverhead(ctx: BenchContext, bw: BenchWorker): Promise<P2Result> {
  const { p2Rows: rows, p2Steps: steps, p2Concurrency: concurrency, p2Reps: reps } = ctx.opts;
  if (bw.env.MAX_CONCURRENT_SESSIONS !== concurrency && !ctx.opts.quick) throw new Error(`P2 needs a worker with MAX_CONCURRENT_SESSIONS=${concurrency}`);
  const values = benchRows(rows);
  const runners = { playwright: await openPlainRunner('playwright', ctx.chromiumPath), engine: await openPlainRunner('engine', ctx.chromiumPath) };
  const wallMs: Record<Variant, number[]> = { system: [], playwright: [], engine: [] };
  const cpus: Record<Variant, Cpu[]> = { system: [], playwright: [], engine: [] };
  const plainRuns: PlainRun[] = [];
  const systemJobs: string[] = [];
  try {
    // Warm the page cache and code paths of all three once, unmeasured.
    if (!ctx.opts.quick) {
      await runners.playwright.run(values.slice(0, 1), steps, 1, ctx.site.url);
      await runners.engine.run(values.slice(0, 1), steps, 1, ctx.site.url);
      await runSystem(ctx, bw, 1, steps, 1);
    }
    const order: Variant[] = ['system', 'playwright', 'engine'];
    for (let rep = 0; rep < reps; rep++) {
      for (let k = 0; k < order.length; k++) {
        const variant = order[(rep + k) % order.length];
        if (variant === 'system') {
          const { run, cpu } = await runSystem(ctx, bw, rows, steps, concurrency);
          wallMs.system.push(run.wallMs);
          cpus.system.push(cpu);
          systemJobs.push(run.jobId);
        } else {
          const before = sampleCpu(ctx.server.process.pid);
          const r = await runners[variant].run(values, steps, concurrency, ctx.site.url);
          cpus[variant].push(cpuDelta(before, sampleCpu(ctx.server.process.pid)));
          wallMs[variant].push(r.wallMs);
          plainRuns.push(r);
        }
      }
    }
  } finally {
    await runners.playwright.close();
    await runners.engine.close();
  }

  // Histories of every system row: where each step's time went.
  const breakdowns: StepBreakdown[] = [];
  const systemByIndex: number[][] = Array.from({ length: steps }, () => []);
  const workerEngineByIndex: number[][] = Array.from({ length: steps }, () => []);
  const setup: number[] = [];
  const stepsTotal: number[] = [];
  const teardown: number[] = [];
  const rowTotal: number[] = [];
  const setupParts = { rowFirstWft: [] as number[], holdQueue: [] as number[], openContext: [] as number[], signalToStep: [] as number[] };
  for (const jobId of systemJobs) {
    for (let row = 1; row <= rows; row++) {
      const events = await fetchEvents(ctx.temporal, rowWorkflowId(jobId, row));
      const acts = activityTimings(events);
      const runSteps = acts.filter((a) => a.name === 'runStep');
      const hold = acts.find((a) => a.name === 'holdSession');
      const trace = bw.probe.row(jobId, row);
      if (hold && trace?.openedAt && runSteps[0]) {
        setupParts.rowFirstWft.push(hold.scheduled - events[0].t);
        setupParts.holdQueue.push(trace.openCalledAt - hold.scheduled);
        setupParts.openContext.push(trace.openedAt - trace.openCalledAt);
        setupParts.signalToStep.push(runSteps[0].scheduled - trace.openedAt);
      }
      runSteps.forEach((a, i) => {
        const b = stepBreakdown(a);
        if (!b) return;
        systemByIndex[i]?.push(b.total);
        workerEngineByIndex[i]?.push(b.engine);
        if (i > 0) breakdowns.push(b);
      });
      const first = runSteps[0];
      const last = runSteps[runSteps.length - 1];
      const rowStart = events[0].t;
      const rowEnd = events[events.length - 1].t;
      if (first && last?.closed !== undefined) {
        setup.push(first.scheduled - rowStart);
        stepsTotal.push(last.closed - first.scheduled);
        teardown.push(rowEnd - last.closed);
        rowTotal.push(rowEnd - rowStart);
      }
    }
  }
  const keys = ['total', 'toWft', 'wftQueue', 'wftRun', 'actQueue', 'actOverhead', 'engine'] as const;
  const stepBreakdownMs = Object.fromEntries(keys.map((k) => [k, summarize(breakdowns.map((b) => b[k]))])) as P2Result['stepBreakdownMs'];

  const plainBy = (kind: PlainKind) => plainRuns.filter((r) => r.kind === kind);
  const plainStep = (kind: PlainKind, i: number) => round(mean(plainBy(kind).flatMap((r) => r.stepMs[i])));
  const perStep = Array.from({ length: steps }, (_, i) => ({
    index: i,
    type: String(BENCH_STEPS[i].step.type),
    playwright: plainStep('playwright', i),
    engine: plainStep('engine', i),
    workerEngine: round(mean(workerEngineByIndex[i])),
    system: round(mean(systemByIndex[i])),
  }));

  const totalSteps = rows * steps;
  const cpuPerStep = (v: Variant) => {
    const xs = cpus[v];
    const m = (f: (c: Cpu) => number) => round(mean(xs.map(f)) / totalSteps, 2);
    return { node: m((c) => c.node), chromium: m((c) => c.chromium), temporal: m((c) => c.temporal), total: m((c) => c.node + c.chromium + c.temporal + c.other), wallMsPerStep: m((c) => c.wall) };
  };
  const medianWallMs = { system: median(wallMs.system), playwright: median(wallMs.playwright), engine: median(wallMs.engine) };
  return {
    rows,
    steps,
    concurrency,
    reps,
    wallMs,
    medianWallMs,
    ratio: round(medianWallMs.system / medianWallMs.playwright, 2),
    ratioVsEngine: round(medianWallMs.system / medianWallMs.engine, 2),
    cpuMsPerStep: { system: cpuPerStep('system'), playwright: cpuPerStep('playwright'), engine: cpuPerStep('engine') },
    foreignCores: {
      system: round(mean(cpus.system.map((c) => c.foreignCores)), 2),
      playwright: round(mean(cpus.playwright.map((c) => c.foreignCores)), 2),
      engine: round(mean(cpus.engine.map((c) => c.foreignCores)), 2),
    },
    stepBreakdownMs,
    perStep,
    rowMs: {
      systemSetup: summarize(setup),
      systemSteps: summarize(stepsTotal),
      systemTeardown: summarize(teardown),
      systemRow: summarize(rowTotal),
      playwrightRow: summarize(plainBy('playwright').flatMap((r) => r.rowMs)),
      engineRow: summarize(plainBy('engine').flatMap((r) => r.rowMs)),
    },
    setupMs: {
      rowFirstWft: summarize(setupParts.rowFirstWft),
      holdQueue: summarize(setupParts.holdQueue),
      openContext: summarize(setupParts.openContext),
      signalToStep: summarize(setupParts.signalToStep),
    },
  };
}
