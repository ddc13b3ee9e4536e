import {
  CancellationScope,
  ParentClosePolicy,
  executeChild,
  getExternalWorkflowHandle,
  proxyActivities,
  setHandler,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import type { createJobActivities } from '../activities/job-activities';
import { progressQuery, rowWorkflowId } from './definitions';
import { describeError } from './failures';
import { rowRun } from './row-run';
import { JobProgress, ExecutionInput, JobSummary, RowResult, PreparedJob } from './types';
import { summarize } from './summary';

const { prepareJob } = proxyActivities<ReturnType<typeof createJobActivities>>({
  startToCloseTimeout: '1m',
  // Invalid input never gets better on retry; a worker crash mid-parse does.
  retry: { maximumAttempts: 3, initialInterval: '1s', nonRetryableErrorTypes: ['InputError'] },
});

/**
 * One execution job: validate, run one rowRun child per CSV row with at most `maxConcurrentRows` at a
 * time (a sliding window: the next row starts as soon as any row ends), and return the summary.
 * A cancel request or jobTimeoutMs turns into explicit child cancels, so every row reports what it finished.
 */
export async function executionJob(input: ExecutionInput): Promise<JobSummary> {
  const startedAt = Date.now();
  const { workflowId } = workflowInfo();
  const progress: JobProgress = {
    jobId: input.jobId,
    status: 'running',
    rows: { total: 0, started: 0, running: 0, passed: 0, failed: 0, cancelled: 0 },
    steps: { passed: 0, failed: 0, skipped: 0 },
  };
  setHandler(progressQuery, () => progress);

  const job: PreparedJob = await prepareJob(input);
  const { flow, rows, config } = job;
  progress.rows.total = rows.length;

  const results: RowResult[] = [];
  const record = (result: RowResult) => {
    results.push(result);
    progress.rows[result.status]++;
    for (const s of result.steps) progress.steps[s.status]++;
  };

  let stopReason: string | undefined;
  let stopped!: () => void;
  const stopRequested = new Promise<void>((resolve) => (stopped = resolve));
  const running = new Map<number, Promise<void>>();
  const stop = (reason: string) => {
    if (stopReason) return;
    stopReason = reason;
    stopped();
    // Cancel each running row explicitly (children run non-cancellable, see below).
    void CancellationScope.nonCancellable(() =>
      Promise.all([...running.keys()].map((row) => getExternalWorkflowHandle(rowWorkflowId(input.jobId, row)).cancel().catch(() => undefined))),
    );
  };
  CancellationScope.current().cancelRequested.catch(() => stop('cancelled by request'));
  if (config.jobTimeoutMs) {
    sleep(config.jobTimeoutMs).then(
      () => stop(`job timed out after jobTimeoutMs=${config.jobTimeoutMs}`),
      () => undefined,
    );
  }

  const startRow = (row: number) => {
    progress.rows.started++;
    progress.rows.running++;
    // Non-cancellable so that a job cancel reaches rows as our own cancel request, and their partial results
    // still come back as normal return values.
    const done = CancellationScope.nonCancellable(() =>
      executeChild(rowRun, {
        workflowId: rowWorkflowId(input.jobId, row),
        args: [{ jobId: input.jobId, row, steps: flow.steps, values: rows[row - 1], flowTimeoutMs: flow.timeout, config }],
        parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
      }),
    ).then(record, (err: unknown) =>
      record({
        row,
        status: stopReason ? 'cancelled' : 'failed',
        durationMs: 0,
        sessionRestarts: 0,
        error: { stepIndex: 0, type: 'InternalError', message: describeError(err) },
        steps: [],
      }),
    );
    running.set(
      row,
      done.finally(() => {
        running.delete(row);
        progress.rows.running--;
      }),
    );
  };

  for (let row = 1; row <= rows.length && !stopReason; row++) {
    while (running.size >= config.maxConcurrentRows && !stopReason) {
      await Promise.race([...running.values(), stopRequested]);
    }
    if (!stopReason) startRow(row);
  }
  await CancellationScope.nonCancellable(() => Promise.all(running.values()));

  // Rows never started because the job stopped: reported as cancelled with no step run.
  const reported = new Set(results.map((r) => r.row));
  for (let row = 1; row <= rows.length; row++) {
    if (!reported.has(row)) {
      record({ row, status: 'cancelled', durationMs: 0, sessionRestarts: 0, steps: skippedSteps(flow.steps.length, flow) });
    }
  }
  const summary = summarize({ jobId: input.jobId, workflowId, results, stepsPerRow: flow.steps.length, stopReason, durationMs: Date.now() - startedAt });
  progress.status = summary.status;
  return summary;
}

function skippedSteps(count: number, flow: PreparedJob['flow']): RowResult['steps'] {
  return flow.steps.slice(0, count).map((s, index) => ({ index, type: s.type, status: 'skipped', durationMs: 0, attempts: 0 }));
}
