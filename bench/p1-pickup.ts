/**
 * P1 pickup latency: startExecution() → the first step begins executing on the worker, on a warm worker.
 *
 * "Begins executing" = the runStep activity's entry on the worker, timestamped by the WorkerProbe
 * (bench/lib/probe.ts wraps the worker's SessionRegistry.get, the first thing runStep calls). Each sample is a
 * 1-row job of 2 steps, run one after another. The breakdown joins those worker-side marks with the server's
 * event times from the job's and the row's histories (same machine, same clock).
 */
import { rowWorkflowId, executionWorkflowId } from '../src/workflows/definitions';
import { activityTimings, EV, fetchEvents, firstOf } from './lib/history';
import { benchCsv, benchRecording } from './lib/recording';
import { newJobId, runJob, type BenchContext, type BenchWorker, type JobRun } from './lib/setup';
import { sleep, summarize, type Summary } from './lib/stats';

export const P1_SEGMENTS = [
  ['client', 'startExecution(): validate, describe + start RPCs → job workflow started'],
  ['jobFirstWft', 'job: first workflow task → prepareJob scheduled'],
  ['prepareJob', 'prepareJob activity: queued + run'],
  ['startChild', 'job: workflow task → rowRun child started'],
  ['rowFirstWft', 'row: first workflow task → holdSession scheduled'],
  ['holdPickup', 'holdSession scheduled → running on the worker'],
  ['openContext', 'holdSession: BrowserContext + page opened'],
  ['signal', 'session opened → sessionReady signal in the row history'],
  ['rowWft', 'row: workflow task on the signal → runStep scheduled'],
  ['stepPickup', 'runStep scheduled → running on the worker'],
] as const;
type Segment = (typeof P1_SEGMENTS)[number][0];

export interface P1Result {
  samples: number;
  pickupMs: Summary;
  /** startExecution() call → it returned (the caller's wait). */
  startCallMs: Summary;
  segments: Record<Segment, Summary>;
  /** Probe (worker clock) minus history ActivityTaskStarted (server clock) for the first runStep: a sanity check of the method. */
  probeMinusHistoryStartedMs: Summary;
  raw: Array<{ pickupMs: number; startCallMs: number } & Partial<Record<Segment, number>>>;
}

export async function benchPickup(ctx: BenchContext, bw: BenchWorker): Promise<P1Result> {
  const { opts } = ctx;
  const recording = benchRecording(2, 'bench pickup');
  const job = () => ({ jobId: newJobId('p1'), recording, csv: benchCsv(1), config: { maxConcurrentRows: 1, defaults: { baseUrl: ctx.site.url } } });
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
    if (!trace?.openedAt || trace.stepStarts.length === 0) throw new Error(`P1: no worker trace for ${run.jobId}`);
    const firstStep = trace.stepStarts[0];
    const sample: P1Result['raw'][number] = { pickupMs: firstStep - run.startCalledAt, startCallMs: run.startReturnedAt - run.startCalledAt };
    const jobEvents = await fetchEvents(ctx.temporal, executionWorkflowId(run.jobId));
    const rowEvents = await fetchEvents(ctx.temporal, rowWorkflowId(run.jobId, 1));
    const jobStarted = firstOf(jobEvents, EV.WorkflowExecutionStarted)?.t;
    const prepare = activityTimings(jobEvents).find((a) => a.name === 'prepareJob');
    const childStarted = firstOf(jobEvents, EV.ChildWorkflowExecutionStarted)?.t;
    const rowActs = activityTimings(rowEvents);
    const hold = rowActs.find((a) => a.name === 'holdSession');
    const step = rowActs.find((a) => a.name === 'runStep');
    const signaled = firstOf(rowEvents, EV.WorkflowExecutionSignaled)?.t;
    if (jobStarted && prepare?.closed && childStarted && hold && step && signaled) {
      Object.assign(sample, {
        client: jobStarted - run.startCalledAt,
        jobFirstWft: prepare.scheduled - jobStarted,
        prepareJob: prepare.closed - prepare.scheduled,
        startChild: childStarted - prepare.closed,
        rowFirstWft: hold.scheduled - childStarted,
        holdPickup: trace.openCalledAt - hold.scheduled,
        openContext: trace.openedAt - trace.openCalledAt,
        signal: signaled - trace.openedAt,
        rowWft: step.scheduled - signaled,
        stepPickup: firstStep - step.scheduled,
      });
      if (step.started !== undefined) checks.push(firstStep - step.started);
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
