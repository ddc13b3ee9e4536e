/**
 * P1 pickup latency: startExecution() → the first step begins executing on the worker, on a warm worker.
 *
 * "Begins executing" = the first step attempt's start on the worker (timing `instant`: no think time before
 * it), from the worker's step feed; the lease's entry and the session's opening come from the WorkerProbe
 * (bench/lib/probe.ts). Each sample is a 1-row job of 2 steps, run one after another. The breakdown joins
 * those worker-side marks with the server's event times from the job's and the row's histories (same
 * machine, same clock).
 */
import { rowWorkflowId, executionWorkflowId } from '../src/workflows/definitions';
import { activityTimings, EV, fetchEvents, firstOf } from './lib/history';
import { benchCsv, benchRecording } from './lib/recording';
import { newJobId, runJob, type BenchContext, type BenchWorker, type JobRun } from './lib/setup';
import { sleep, summarize, type Summary } from './lib/stats';

export const P1_SEGMENTS = [
  ['client', 'startExecution(): validate, describe + start RPCs → job workflow started'],
  ['jobToChild', 'job started → csvRow child started (first task, prepareJob as a local activity, child start)'],
  ['rowFirstWft', 'row: first workflow task → runRowAttempt scheduled'],
  ['leasePickup', 'runRowAttempt scheduled → running on the worker'],
  ['openContext', 'lease: BrowserContext + page opened'],
  ['firstStep', 'session open → first step begins'],
] as const;
type Segment = (typeof P1_SEGMENTS)[number][0];

export interface P1Result {
  samples: number;
  pickupMs: Summary;
  /** startExecution() call → it returned (the caller's wait). */
  startCallMs: Summary;
  segments: Record<Segment, Summary>;
  /** Probe (worker clock) minus history ActivityTaskStarted (server clock) for runRowAttempt: a sanity check of the method. */
  probeMinusHistoryStartedMs: Summary;
  raw: Array<{ pickupMs: number; startCallMs: number } & Partial<Record<Segment, number>>>;
}

export async function benchPickup(ctx: BenchContext, bw: BenchWorker): Promise<P1Result> {
  const { opts } = ctx;
  const recording = benchRecording(2, 'bench pickup');
  const job = () => ({
    jobId: newJobId('p1'),
    recording,
    csv: benchCsv(1),
    // runJob's timing is `instant`: no think time before the first step.
    config: { maxConcurrentRows: 1, defaults: { baseUrl: ctx.site.url } },
  });
  // Warm-up: browser launched, workflow code loaded, pollers and sticky queues in place.
  for (let i = 0; i < (opts.quick ? 1 : 2); i++) await runJob(bw, job());

  const runs: JobRun[] = [];
  for (let i = 0; i < opts.p1Samples; i++) {
    runs.push(await runJob(bw, job()));
    await sleep(50);
  }

  const raw: P1Result['raw'] = [];
  const checks: number[] = [];
  for (const run of runs) {
    const trace = bw.probe.row(run.jobId, 1);
    if (!trace?.leasedAt || trace.stepStarts.length === 0) throw new Error(`P1: no worker trace for ${run.jobId}`);
    const firstStep = trace.stepStarts[0];
    const sample: P1Result['raw'][number] = { pickupMs: firstStep - run.startCalledAt, startCallMs: run.startReturnedAt - run.startCalledAt };
    const jobEvents = await fetchEvents(ctx.temporal, executionWorkflowId(run.jobId));
    const rowEvents = await fetchEvents(ctx.temporal, rowWorkflowId(run.jobId, 1));
    const jobStarted = firstOf(jobEvents, EV.WorkflowExecutionStarted)?.t;
    const childStarted = firstOf(jobEvents, EV.ChildWorkflowExecutionStarted)?.t;
    const lease = activityTimings(rowEvents).find((a) => a.name === 'runRowAttempt');
    if (jobStarted && childStarted && lease) {
      Object.assign(sample, {
        client: jobStarted - run.startCalledAt,
        jobToChild: childStarted - jobStarted,
        rowFirstWft: lease.scheduled - childStarted,
        leasePickup: trace.leaseCalledAt - lease.scheduled,
        openContext: trace.leasedAt - trace.leaseCalledAt,
        firstStep: firstStep - trace.leasedAt,
      });
      if (lease.started !== undefined) checks.push(trace.leaseCalledAt - lease.started);
    }
    raw.push(sample);
  }

  const segments = Object.fromEntries(
    P1_SEGMENTS.map(([k]) => [k, summarize(raw.map((r) => r[k]).filter((x): x is number => x !== undefined))]),
  ) as Record<Segment, Summary>;
  return {
    samples: raw.length,
    pickupMs: summarize(raw.map((r) => r.pickupMs)),
    startCallMs: summarize(raw.map((r) => r.startCallMs)),
    segments,
    probeMinusHistoryStartedMs: summarize(checks),
    raw,
  };
}
