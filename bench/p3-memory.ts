/**
 * P3 memory: PSS and RSS of the worker process plus its browser processes (measureProcessTree from
 * src/ops/memory-guard, minus the Temporal dev server, which is also our child) with 1, 2, 4, 8 sessions held
 * open: a job whose N rows open the bench page and wait in a 30 s waitForExpression; sampled once all N are in
 * that step, then the job is cancelled (each cancel is also a cancel-latency sample).
 */
import { cancelAndMeasure, openHeldSessions, type CancelSample } from './cancel-latency';
import { chromiumProcessTypes, workerMemory, type WorkerMemory } from './lib/proc';
import { memorySampling } from './lib/options';
import type { BenchContext, BenchWorker } from './lib/setup';
import { linearFit, median, round, sleep, waitUntil } from './lib/stats';

export interface P3Level extends WorkerMemory {
  sessions: number;
  chromiumProcesses: Record<string, number>;
}

export interface P3Result {
  /** Worker started, no browser launched yet (in a quick run the worker is shared, so the browser may be up). */
  idle: WorkerMemory;
  levels: P3Level[];
  /** Least-squares MB per additional session over the levels (PSS, and RSS for comparison). */
  pssMbPerSession: number;
  rssMbPerSession: number;
  /** PSS at 1 session minus idle: the browser process itself plus the first session. */
  firstSessionPssMb: number;
  cancels: CancelSample[];
}

/** Median of a few samples a moment apart (pages settle, GC runs). */
export async function sampleMemory(serverPid: number | undefined, samples = 5): Promise<WorkerMemory> {
  const xs: WorkerMemory[] = [];
  for (let i = 0; i < samples; i++) {
    xs.push(workerMemory(serverPid));
    await sleep(250);
  }
  const m = (f: (w: WorkerMemory) => number) => round(median(xs.map(f)));
  return { pssMb: m((w) => w.pssMb), rssMb: m((w) => w.rssMb), nodePssMb: m((w) => w.nodePssMb), browserPssMb: m((w) => w.browserPssMb), browserRssMb: m((w) => w.browserRssMb), processes: m((w) => w.processes) };
}

export async function benchMemory(ctx: BenchContext, bw: BenchWorker): Promise<P3Result> {
  const serverPid = ctx.server.process.pid;
  const levelsWanted = ctx.opts.p3Levels;
  if (bw.env.MAX_CONCURRENT_SESSIONS < Math.max(...levelsWanted)) throw new Error('P3 needs a worker with enough session slots');
  const { settleMs, samples } = memorySampling(ctx.opts);
  const idle = await sampleMemory(serverPid, samples);
  const levels: P3Level[] = [];
  const cancels: CancelSample[] = [];
  for (const n of levelsWanted) {
    const jobId = await openHeldSessions(ctx, bw, n);
    await sleep(settleMs); // let the pages finish loading and the renderers settle
    const mem = await sampleMemory(serverPid, samples);
    levels.push({ sessions: n, ...mem, chromiumProcesses: chromiumProcessTypes(serverPid) });
    cancels.push(await cancelAndMeasure(bw, jobId));
    await waitUntil(() => bw.worker.sessions.activeSessions === 0, 'sessions closed', 30_000);
    await sleep(500);
  }
  const xs = levels.map((l) => l.sessions);
  return {
    idle,
    levels,
    pssMbPerSession: levels.length > 1 ? linearFit(xs, levels.map((l) => l.pssMb)).slope : NaN,
    rssMbPerSession: levels.length > 1 ? linearFit(xs, levels.map((l) => l.rssMb)).slope : NaN,
    firstSessionPssMb: levels.length ? round(levels[0].pssMb - idle.pssMb) : NaN,
    cancels,
  };
}
