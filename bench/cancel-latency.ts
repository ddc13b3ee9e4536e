/**
 * Cancel latency: time from cancelExecution() to the worker's browser contexts being closed
 * (worker.sessions.activeSessions back to 0), with N rows inside a long step. Also used by P3, which cancels
 * its held sessions the same way after sampling memory.
 */
import { holdingRecording, benchCsv } from './lib/recording';
import { newJobId, type BenchContext, type BenchWorker } from './lib/setup';
import { sleep, summarize, waitUntil, type Summary } from './lib/stats';

/** Starts a job of n rows that open the bench page and then sit in a 30 s step; resolves once all n are in it. */
export async function openHeldSessions(ctx: BenchContext, bw: BenchWorker, n: number): Promise<string> {
  if (bw.worker.sessions.activeSessions !== 0) throw new Error('sessions still open from an earlier job');
  const jobId = newJobId(`hold${n}`);
  await bw.client.startExecution({
    jobId,
    recording: holdingRecording(),
    csv: benchCsv(n),
    config: { timingMode: 'instant', maxConcurrentRows: n, defaults: { baseUrl: ctx.site.url } },
  });
  await waitUntil(
    () => bw.worker.sessions.activeSessions === n && bw.probe.forJob(jobId).filter((t) => t.stepStarts.length >= 2).length === n,
    `${n} sessions holding`,
    60_000,
    20,
  );
  return jobId;
}

export interface CancelSample {
  sessions: number;
  /** cancelExecution() called → every context of the job closed (activeSessions 0). */
  closedMs: number;
  /** → the first session of the job was closed on the worker. */
  firstReleaseMs: number;
  /** → cancelExecution() returned (the RPC). */
  rpcMs: number;
  /** → the job's summary (status cancelled) was available. */
  resultMs: number;
}

export async function cancelAndMeasure(bw: BenchWorker, jobId: string): Promise<CancelSample> {
  const sessions = bw.worker.sessions.activeSessions;
  const t0 = Date.now();
  await bw.client.cancelExecution(jobId);
  const rpcAt = Date.now();
  const closedAt = await waitUntil(() => bw.worker.sessions.activeSessions === 0, 'sessions closed after cancel', 30_000, 2);
  const summary = await bw.client.getResult(jobId);
  const resultAt = Date.now();
  if (summary.status !== 'cancelled') throw new Error(`job ${jobId} ended ${summary.status}, expected cancelled`);
  const releases = bw.probe.forJob(jobId).map((t) => t.endedAt ?? Infinity);
  return { sessions, closedMs: closedAt - t0, firstReleaseMs: Math.min(...releases) - t0, rpcMs: rpcAt - t0, resultMs: resultAt - t0 };
}

export interface CancelResult {
  sessions: number;
  closedMs: Summary;
  firstReleaseMs: Summary;
  resultMs: Summary;
  samples: CancelSample[];
}

export async function benchCancel(ctx: BenchContext, bw: BenchWorker): Promise<CancelResult> {
  const n = ctx.opts.cancelSessions;
  const samples: CancelSample[] = [];
  for (let i = 0; i < ctx.opts.cancelReps; i++) {
    const jobId = await openHeldSessions(ctx, bw, n);
    await sleep(ctx.opts.quick ? 200 : 1000); // well inside the held step
    samples.push(await cancelAndMeasure(bw, jobId));
    await sleep(300);
  }
  return {
    sessions: n,
    closedMs: summarize(samples.map((s) => s.closedMs)),
    firstReleaseMs: summarize(samples.map((s) => s.firstReleaseMs)),
    resultMs: summarize(samples.map((s) => s.resultMs)),
    samples,
  };
}
