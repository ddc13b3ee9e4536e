/**
 * Trace and video cost per row: the same passing job (rows × steps of bench/site) with artifacts off, trace
 * retain-on-failure (the default: recorded, then dropped since the row passed), trace on, and video on
 * (CDP screencast + ffmpeg), alternating modes each round on one worker. Reported per mode: job wall time, CPU
 * per step (worker + Chromium + everything else on the machine, which includes ffmpeg), and MB kept per row.
 */
import { rm } from 'node:fs/promises';
import { cpuDelta, sampleCpu } from './lib/proc';
import { benchCsv, benchRecording } from './lib/recording';
import { newJobId, runJob, type BenchContext, type BenchWorker } from './lib/setup';
import { mean, round, summarize, table, type Summary } from './lib/stats';

const MODES = {
  off: { trace: 'off', video: 'off' },
  'trace retain-on-failure': { trace: 'retain-on-failure', video: 'off' },
  'trace on': { trace: 'on', video: 'off' },
  'video on': { trace: 'off', video: 'on' },
} as const;
type Mode = keyof typeof MODES;

export interface ArtifactsCostResult {
  rounds: number;
  rows: number;
  steps: number;
  perMode: Record<Mode, { jobWallMs: Summary; cpuMsPerStep: number; machineCpuMsPerStep: number; keptMbPerRow: number }>;
}

export async function benchArtifacts(ctx: BenchContext, bw: BenchWorker): Promise<ArtifactsCostResult> {
  const rows = ctx.opts.quick ? 2 : 6;
  const steps = ctx.opts.quick ? 5 : 15;
  const rounds = ctx.opts.quick ? 1 : 4;
  const recording = benchRecording(steps);
  const csv = benchCsv(rows);
  const samples = Object.fromEntries(
    Object.keys(MODES).map((m) => [m, { wall: [] as number[], cpu: [] as number[], machine: [] as number[], mb: [] as number[] }]),
  ) as Record<Mode, { wall: number[]; cpu: number[]; machine: number[]; mb: number[] }>;
  const run = async (mode: Mode) =>
    runJob(bw, {
      jobId: newJobId(`artifacts-${mode.replace(/\W+/g, '-')}`),
      recording,
      csv,
      config: { maxConcurrentRows: 1, defaults: { baseUrl: ctx.site.url }, ...MODES[mode] },
    });
  await run('off'); // warm-up
  for (let round = 0; round < rounds; round++) {
    for (const mode of Object.keys(MODES) as Mode[]) {
      const before = sampleCpu(ctx.server.process.pid);
      const job = await run(mode);
      const d = cpuDelta(before, sampleCpu(ctx.server.process.pid));
      const kept = job.summary.results.flatMap((r) => r.artifacts ?? []);
      samples[mode].wall.push(job.wallMs);
      samples[mode].cpu.push((d.node + d.chromium) / (rows * steps));
      samples[mode].machine.push(d.machine / (rows * steps));
      samples[mode].mb.push(kept.reduce((n, a) => n + a.bytes, 0) / 1_048_576 / rows);
      await Promise.all(kept.map((a) => rm(a.location, { force: true })));
    }
  }
  const perMode = Object.fromEntries(
    (Object.keys(MODES) as Mode[]).map((m) => [
      m,
      {
        jobWallMs: summarize(samples[m].wall),
        cpuMsPerStep: round(mean(samples[m].cpu), 2),
        machineCpuMsPerStep: round(mean(samples[m].machine), 2),
        keptMbPerRow: round(mean(samples[m].mb), 3),
      },
    ]),
  ) as ArtifactsCostResult['perMode'];
  process.stderr.write(
    '\n' +
      table(
        ['mode', 'job wall p50 ms', 'worker+Chromium CPU ms/step', 'machine CPU ms/step', 'MB kept/row'],
        (Object.keys(MODES) as Mode[]).map((m) => [
          m,
          perMode[m].jobWallMs.p50,
          perMode[m].cpuMsPerStep,
          perMode[m].machineCpuMsPerStep,
          perMode[m].keptMbPerRow,
        ]),
      ) +
      '\n',
  );
  return { rounds, rows, steps, perMode };
}
