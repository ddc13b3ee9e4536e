/**
 * P2 overhead: one recording of R rows × S steps at concurrency C, timing `instant`, through the system
 * (job maxConcurrentRows C on a worker with MAX_CONCURRENT_SESSIONS C), against the plain Playwright script and
 * the step engine without Temporal (bench/plain-playwright.ts), in the same run, rotating the order per rep.
 * Also CPU time per step by process group, and where a system row's time goes: its workflow's life against
 * the one activity that runs its steps (from the row's history).
 */
import { rowWorkflowId } from '../src/workflows/definitions';
import type { JobSummary } from '../src/workflows/types';
import { activityTimings, fetchEvents } from './lib/history';
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
  /** Per step index, mean ms: plain Playwright, the engine without Temporal, the engine inside the worker (summary durationMs). */
  perStep: Array<{ index: number; type: string; playwright: number; engine: number; system: number }>;
  /**
   * Per row: the system's row workflow (started → closed) and the parts of it: waiting for a session (attempt
   * scheduled → started), the attempt on the worker (started → closed), the rest (workflow tasks, child
   * start and completion); and the baselines' whole rows.
   */
  rowMs: { systemRow: Summary; systemQueue: Summary; systemAttempt: Summary; systemOther: Summary; playwrightRow: Summary; engineRow: Summary };
}

async function runSystem(ctx: BenchContext, bw: BenchWorker, rows: number, steps: number, concurrency: number) {
  const jobId = newJobId('p2');
  const before = sampleCpu(ctx.server.process.pid);
  const run = await runJob(bw, {
    jobId,
    recording: benchRecording(steps),
    csv: benchCsv(rows),
    // The baseline keeps no trace; what the default trace (retain-on-failure) costs is --only=artifacts.
    config: { trace: 'off', maxConcurrentRows: concurrency, defaults: { baseUrl: ctx.site.url } },
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
  const systemJobs: Array<{ jobId: string; summary: JobSummary }> = [];
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
          systemJobs.push({ jobId: run.jobId, summary: run.summary });
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

  // Histories of every system row: the row workflow against the one activity that ran its steps.
  const systemByIndex: number[][] = Array.from({ length: steps }, () => []);
  const row = { total: [] as number[], queue: [] as number[], attempt: [] as number[], other: [] as number[] };
  for (const { jobId, summary } of systemJobs) {
    for (const r of summary.results) r.steps.forEach((st, i) => systemByIndex[i]?.push(st.durationMs));
    for (let n = 1; n <= rows; n++) {
      const events = await fetchEvents(ctx.temporal, rowWorkflowId(jobId, n));
      const attempt = activityTimings(events).find((a) => a.name === 'runRowAttempt');
      if (!attempt?.started || attempt.closed === undefined) continue;
      const total = events[events.length - 1].t - events[0].t;
      row.total.push(total);
      row.queue.push(attempt.started - attempt.scheduled);
      row.attempt.push(attempt.closed - attempt.started);
      row.other.push(total - (attempt.closed - attempt.scheduled));
    }
  }

  const plainBy = (kind: PlainKind) => plainRuns.filter((r) => r.kind === kind);
  const plainStep = (kind: PlainKind, i: number) => round(mean(plainBy(kind).flatMap((r) => r.stepMs[i])));
  const perStep = Array.from({ length: steps }, (_, i) => ({
    index: i,
    type: String(BENCH_STEPS[i].step.type),
    playwright: plainStep('playwright', i),
    engine: plainStep('engine', i),
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
    perStep,
    rowMs: {
      systemRow: summarize(row.total),
      systemQueue: summarize(row.queue),
      systemAttempt: summarize(row.attempt),
      systemOther: summarize(row.other),
      playwrightRow: summarize(plainBy('playwright').flatMap((r) => r.rowMs)),
      engineRow: summarize(plainBy('engine').flatMap((r) => r.rowMs)),
    },
  };
}
