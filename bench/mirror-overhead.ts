/**
 * Mirror overhead: the same job with the Supabase mirror off and on, alternating, each on its own worker of
 * the same process. "On" writes through supabase-js → the PostgREST-compatible test gateway (a process of its
 * own, as Supabase is) → real PostgreSQL with the migrations applied.
 *
 * Measured per step: the engine's own time (each step's durationMs in the summary, which would include any
 * wait on the mirror), plus job wall time, and how soon after a step ends its log line is stored. The difference on − off comes
 * with a 95% confidence interval: "no measurable time per step" means the interval contains 0. Each "on" job's mirror workflow is awaited before the next job, so
 * the mirror's full cost lands in the "on" runs, and at the end every log line is counted in PostgreSQL.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Client as PgClient } from 'pg';
import { applyMigrations } from '../src/mirror/db/apply-migrations';
import { PROJECT_ROOT } from '../src/support/tools';
import { mirrorWorkflowId } from '../src/workflows/definitions';
import { createTestDatabase } from '../test/support/test-database';
import { cpuDelta, sampleCpu, type CpuDelta } from './lib/proc';
import { benchCsv, benchRecording } from './lib/recording';
import { newJobId, runJob, type BenchContext, type BenchWorker } from './lib/setup';
import { mean, round, summarize, type Summary } from './lib/stats';

type Mode = 'off' | 'on';

export interface MirrorDiff {
  /** on − off, ms. */
  meanDiffMs: number;
  /** 95% confidence interval of the difference (Welch, normal approximation). */
  ci95Ms: [number, number];
  /** The interval contains 0: no difference this run can tell from noise. */
  measurable: boolean;
}

export interface MirrorResult {
  rounds: number;
  rows: number;
  steps: number;
  concurrency: number;
  engineStepMs: Record<Mode, Summary>;
  jobWallMs: Record<Mode, Summary>;
  engineDiff: MirrorDiff;
  jobWallRatio: number;
  /**
   * CPU ms per step by where it burns, mean over the measured jobs: the worker process (node), Chromium, the
   * Temporal server, the gateway (Supabase's REST layer in production) and PostgreSQL (+ anything else).
   */
  cpuMsPerStep: Record<Mode, { node: number; chromium: number; temporal: number; gateway: number; postgresAndOther: number; total: number }>;
  /** Log lines found in PostgreSQL for the "on" jobs, and how many there must be (2 per step attempt). */
  logRows: { expected: number; found: number };
  /** A step's end (its `passed` line's occurred_at, worker clock) → that line stored (created_at, same machine). */
  logVisibleMs: Summary;
}

function diff(on: number[], off: number[]): MirrorDiff {
  const variance = (xs: number[]) => {
    const m = mean(xs);
    return xs.reduce((a, x) => a + (x - m) ** 2, 0) / Math.max(1, xs.length - 1);
  };
  const d = mean(on) - mean(off);
  const half = 1.96 * Math.sqrt(variance(on) / on.length + variance(off) / off.length);
  return { meanDiffMs: round(d, 2), ci95Ms: [round(d - half, 2), round(d + half, 2)], measurable: d - half > 0 || d + half < 0 };
}

function cpuPerStep(deltas: CpuDelta[], stepsPerJob: number): MirrorResult['cpuMsPerStep']['on'] {
  const per = (f: (d: CpuDelta) => number) => round(mean(deltas.map(f)) / stepsPerJob, 2);
  return {
    node: per((d) => d.node),
    chromium: per((d) => d.chromium),
    temporal: per((d) => d.temporal),
    gateway: per((d) => d.other),
    postgresAndOther: per((d) => d.foreign),
    total: per((d) => d.node + d.chromium + d.temporal + d.other + d.foreign),
  };
}

async function startGatewayProcess(databaseUrl: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(PROJECT_ROOT, 'bench', 'lib', 'gateway-process.ts'), databaseUrl], {
    cwd: PROJECT_ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (l) => l.startsWith('GATEWAY ') && resolve(l.slice(8).trim()));
    child.once('exit', (code) => reject(new Error(`gateway process exited with ${code}`)));
  });
  return { url, child };
}

export async function benchMirror(ctx: BenchContext): Promise<MirrorResult> {
  const { mirrorRounds: rounds, mirrorRows: rows, mirrorSteps: steps, mirrorConcurrency: concurrency } = ctx.opts;
  const db = await createTestDatabase('bench_mirror');
  let gateway: { url: string; child: ChildProcess } | undefined;
  const workers: Partial<Record<Mode, BenchWorker>> = {};
  try {
    await applyMigrations(db.url);
    gateway = await startGatewayProcess(db.url);
    workers.off = await ctx.startWorker('mirror-off', concurrency);
    workers.on = await ctx.startWorker('mirror-on', concurrency, { SUPABASE_URL: gateway.url, SUPABASE_SERVICE_ROLE_KEY: 'bench-service-role' });

    const recording = benchRecording(steps, 'mirror overhead');
    const jobs: Record<Mode, string[]> = { off: [], on: [] };
    const walls: Record<Mode, number[]> = { off: [], on: [] };
    const engine: Record<Mode, number[]> = { off: [], on: [] };
    const cpu: Record<Mode, CpuDelta[]> = { off: [], on: [] };
    const onJobs: string[] = [];
    for (let round = 0; round <= rounds; round++) {
      // Round 0 warms both workers up, unmeasured; then the order alternates so neither mode always goes first.
      const order: Mode[] = round % 2 === 0 ? ['off', 'on'] : ['on', 'off'];
      for (const mode of order) {
        const bw = workers[mode]!;
        const jobId = newJobId(`mirror-${mode}`);
        const cpu0 = sampleCpu(ctx.server.process.pid);
        const run = await runJob(bw, { jobId, recording, csv: benchCsv(rows), config: { maxConcurrentRows: concurrency, defaults: { baseUrl: ctx.site.url } } });
        // The mirror's tail (catching up, its straggler wait) must not spill into the next run.
        if (mode === 'on') {
          onJobs.push(jobId);
          await ctx.temporal.workflow.getHandle(mirrorWorkflowId(jobId)).result();
        }
        const cpuUsed = cpuDelta(cpu0, sampleCpu(ctx.server.process.pid));
        if (round === 0) continue;
        cpu[mode].push(cpuUsed);
        jobs[mode].push(jobId);
        walls[mode].push(run.wallMs);
        engine[mode].push(...run.summary.results.flatMap((r) => r.steps.map((s) => s.durationMs)));
      }
    }

    const pg = new PgClient({ connectionString: db.url });
    await pg.connect();
    const expected = onJobs.length * rows * steps * 2;
    let found = 0;
    let visible: number[] = [];
    try {
      // Workers write log lines themselves: give the last batch a moment to land.
      for (let tries = 0; tries < 20 && found < expected; tries++) {
        if (tries > 0) await new Promise((r) => setTimeout(r, 250));
        found = (await pg.query('select count(*)::int as n from execution_logs where job_id = any($1)', [onJobs])).rows[0].n;
      }
      const lag = await pg.query(
        `select extract(epoch from (created_at - occurred_at)) * 1000 as ms from execution_logs where job_id = any($1) and event = 'passed'`,
        [onJobs],
      );
      visible = lag.rows.map((r) => Number(r.ms));
    } finally {
      await pg.end();
    }
    return {
      rounds,
      rows,
      steps,
      concurrency,
      engineStepMs: { off: summarize(engine.off), on: summarize(engine.on) },
      jobWallMs: { off: summarize(walls.off), on: summarize(walls.on) },
      engineDiff: diff(engine.on, engine.off),
      jobWallRatio: round(mean(walls.on) / mean(walls.off), 3),
      cpuMsPerStep: { off: cpuPerStep(cpu.off, rows * steps), on: cpuPerStep(cpu.on, rows * steps) },
      // Every step passes on its first attempt here: a "started" and a "passed" line each.
      logRows: { expected, found },
      logVisibleMs: summarize(visible),
    };
  } finally {
    await workers.on?.stop();
    await workers.off?.stop();
    gateway?.child.kill('SIGTERM');
    await db.drop();
  }
}
