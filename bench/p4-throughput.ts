/**
 * P4 throughput: R rows × S steps at concurrency 1, 2, 4 (job maxConcurrentRows; the worker has
 * MAX_CONCURRENT_SESSIONS ≥ the highest level). Wall time is startExecution() → summary. The plain Playwright
 * script runs the same rows at the same concurrency for reference.
 */
import { cpuDelta, sampleCpu } from './lib/proc';
import { benchCsv, benchRecording, benchRows } from './lib/recording';
import { newJobId, runJob, type BenchContext, type BenchWorker } from './lib/setup';
import { round } from './lib/stats';
import { openPlainRunner } from './plain-playwright';

export interface P4Level {
  concurrency: number;
  wallMs: number;
  stepsPerSec: number;
  rowsPerMin: number;
  playwrightWallMs: number;
  playwrightStepsPerSec: number;
  /** CPU busy over the system run, in cores (2 = both cores of this machine saturated). */
  systemCpuCores: number;
  /** Wall time per step of the whole job (startExecution → summary, divided by rows × steps). */
  wallMsPerStep: number;
}

export interface P4Result {
  rows: number;
  steps: number;
  levels: P4Level[];
}

export async function benchThroughput(ctx: BenchContext, bw: BenchWorker): Promise<P4Result> {
  const { p4Rows: rows, p4Steps: steps, p4Levels } = ctx.opts;
  const max = Math.max(...p4Levels);
  if (bw.env.MAX_CONCURRENT_SESSIONS < max) throw new Error(`P4 needs a worker with MAX_CONCURRENT_SESSIONS >= ${max}`);
  const plain = await openPlainRunner('playwright', ctx.chromiumPath);
  const levels: P4Level[] = [];
  try {
    if (!ctx.opts.quick) await plain.run(benchRows(1), steps, 1, ctx.site.url);
    // Warm worker: browser launched, workflow code loaded.
    if (!ctx.opts.quick) await runJob(bw, { jobId: newJobId('p4warm'), recording: benchRecording(steps), csv: benchCsv(1), config: { defaults: { baseUrl: ctx.site.url } } });
    for (const concurrency of p4Levels) {
      const before = sampleCpu(ctx.server.process.pid);
      const jobId = newJobId(`p4c${concurrency}`);
      const run = await runJob(bw, {
        jobId,
        recording: benchRecording(steps),
        csv: benchCsv(rows),
        config: { maxConcurrentRows: concurrency, defaults: { baseUrl: ctx.site.url } },
      });
      const cpu = cpuDelta(before, sampleCpu(ctx.server.process.pid));
      const p = await plain.run(benchRows(rows), steps, concurrency, ctx.site.url);
      levels.push({
        concurrency,
        wallMs: run.wallMs,
        stepsPerSec: round((rows * steps) / (run.wallMs / 1000)),
        rowsPerMin: round(rows / (run.wallMs / 60_000)),
        playwrightWallMs: p.wallMs,
        playwrightStepsPerSec: round((rows * steps) / (p.wallMs / 1000)),
        systemCpuCores: round((cpu.node + cpu.chromium + cpu.temporal + cpu.other) / cpu.wall, 2),
        wallMsPerStep: round(run.wallMs / (rows * steps)),
      });
    }
  } finally {
    await plain.close();
  }
  return { rows, steps, levels };
}
