import { CancellationScope, ParentClosePolicy, continueAsNew, executeChild, patched } from '@temporalio/workflow';
import { getExternalWorkflowHandle, setHandler, startChild, sleep, workflowInfo } from '@temporalio/workflow';
import { prepareJob, prepareJobLocally, resultWriter } from './job-activity-proxies';
import { mirrorWorkflowId, progressQuery, rowWorkflowId, scheduledRunJobId } from './definitions';
import { describeError } from './failures';
import { initialState, JobState, recordRow, RESULTS_BATCH_SIZE, summarize } from './job-state';
import { csvRow } from './csv-row';
import { rowRun } from './legacy/row-run';
import type { ExecutionInput, JobProgress, JobSummary, PreparedJob, RowResult } from './types';
import { jobMirror } from './job-mirror';
import { workflowMirrorSink } from './mirror-sink';
import { jobNotifications } from './job-notifications';
import { CSV_ROW_WORKFLOW_PATCH, MIRROR_ROW_EVENTS_PATCH, PREPARE_JOB_LOCALLY_PATCH, TASK_QUEUE_PRIORITY_PATCH } from './patches';
import { taskQueuePriority } from './priority';
import { runVisibility, showPrepareFailed } from './run-visibility';
import { rowEndEvent, type JobEvent, type MirrorEvent } from '../mirror/events';
import { maskRow } from '../recording/secrets';

/** Rows that never started (the job stopped) are mirrored this many to a signal. */
const NEVER_STARTED_ROWS_PER_SIGNAL = 1000;

/**
 * One execution job: validate, run one csvRow child per CSV row with at most `maxConcurrentRows` at a
 * time (a sliding window: the next row starts as soon as any row ends), and return the summary.
 * Every `rowsPerRun` rows it drains the window and continues as new, carrying counters, so no run's history
 * grows with the CSV. A cancel request or jobTimeoutMs becomes explicit row cancels, so every row reports
 * what it finished.
 */
export async function executionJob(scheduledOrDirect: ExecutionInput, carried?: JobState): Promise<JobSummary> {
  const { workflowId } = workflowInfo();
  const input: ExecutionInput =
    scheduledOrDirect.origin?.triggeredBy === 'schedule'
      ? { ...scheduledOrDirect, jobId: scheduledRunJobId(workflowId) }
      : scheduledOrDirect;
  const progress: JobProgress = {
    jobId: input.jobId,
    status: 'running',
    rows: { total: 0, started: 0, running: 0, passed: 0, failed: 0, cancelled: 0 },
    steps: { passed: 0, failed: 0, skipped: 0 },
  };
  setHandler(progressQuery, () => progress);
  const prepare = () => (patched(PREPARE_JOB_LOCALLY_PATCH) ? prepareJobLocally : prepareJob)(input).catch(failPrepared);
  const state = carried ?? initialState(await prepare(), Date.now());
  const { flow, rows, config } = state.job;
  const visibility = runVisibility({
    title: flow.title,
    rowsTotal: rows.length,
    rowsFailed: state.counters.rows.failed,
    stepsPerRow: flow.steps.length,
    recordingId: state.job.recordingId,
  });
  const priority = patched(TASK_QUEUE_PRIORITY_PATCH) ? taskQueuePriority(config, input.origin) : undefined;
  const writeResults = resultWriter(priority);
  // Decided once per run, so that every row of a run is the same workflow type.
  const rowWorkflow = patched(CSV_ROW_WORKFLOW_PATCH) ? csvRow : rowRun;
  const notify = jobNotifications(input, config.notify, flow.steps);
  const mirror = workflowMirrorSink({ mirrored: state.job.mirror });
  const { runId } = workflowInfo();
  const jobEvent = (extra: Partial<JobEvent>): JobEvent => ({
    kind: 'job',
    jobId: input.jobId,
    status: 'running',
    workflowId,
    runId,
    counters: state.counters,
    ...extra,
  });
  if (!carried && state.job.mirror)
    await startMirror(
      input.jobId,
      state.job,
      jobEvent({ rowsTotal: rows.length, stepsTotal: rows.length * flow.steps.length, startedAt: state.startedAt }),
    );
  const syncProgress = () => {
    progress.rows = { total: rows.length, started: state.nextRow - 1, running: running.size, ...state.counters.rows };
    progress.steps = { ...state.counters.steps };
    visibility.rowsChanged(state.counters, progress.rows.started);
  };

  const running = new Map<number, Promise<void>>();
  let stopped!: () => void;
  const stopRequested = new Promise<void>((resolve) => (stopped = resolve));
  const stop = (reason: string) => {
    if (state.stopReason) return;
    state.stopReason = reason;
    stopped();
    // Cancel each running row explicitly (rows run non-cancellable, see startRow).
    void CancellationScope.nonCancellable(() =>
      Promise.all(
        [...running.keys()].map((row) =>
          getExternalWorkflowHandle(rowWorkflowId(input.jobId, row))
            .cancel()
            .catch(() => undefined),
        ),
      ),
    );
  };
  CancellationScope.current().cancelRequested.catch(() => stop('cancelled by request'));
  if (config.jobTimeoutMs) {
    const remaining = Math.max(1, config.jobTimeoutMs - (Date.now() - state.startedAt));
    sleep(remaining).then(
      () => stop(`job timed out after jobTimeoutMs=${config.jobTimeoutMs}`),
      () => undefined,
    );
  }

  const flush = async (all: boolean) => {
    while (state.unwritten.length >= (all ? 1 : RESULTS_BATCH_SIZE)) {
      const batch = state.unwritten.slice(0, RESULTS_BATCH_SIZE);
      state.partsWritten++;
      const { location } = await CancellationScope.nonCancellable(() =>
        writeResults({ jobId: input.jobId, part: state.partsWritten, results: batch }),
      );
      state.resultsLocation = location;
      state.unwritten.splice(0, batch.length);
    }
  };
  // The job, not the row, mirrors how each row ended: its counters go in the same signal.
  const record = (result: RowResult, mirrorNow = true) => {
    recordRow(state, result);
    syncProgress();
    if (result.status === 'failed') void notify.rowFailed(result, progress);
    if (mirrorNow) void mirror.emit(input.jobId, [rowEndEvent(input.jobId, result, Date.now()), jobEvent({})]);
  };

  const startRow = (row: number) => {
    // Non-cancellable so that a job cancel reaches rows as our own cancel request, and their partial results
    // still come back as normal return values.
    const done = CancellationScope.nonCancellable(() =>
      executeChild(rowWorkflow, {
        workflowId: rowWorkflowId(input.jobId, row),
        args: [
          {
            jobId: input.jobId,
            row,
            steps: flow.steps,
            values: rows[row - 1],
            flowTimeoutMs: flow.timeout,
            config,
            mirror: state.job.mirror,
            secretColumns: state.job.secretColumns,
            ...(priority ? { priority } : {}),
          },
        ],
        parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
        ...(priority ? { priority } : {}),
      }),
    ).then(record, (err: unknown) =>
      record({
        row,
        status: state.stopReason ? 'cancelled' : 'failed',
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
        syncProgress();
      }),
    );
    syncProgress();
  };

  const firstRowOfRun = state.nextRow;
  const runFull = () => state.nextRow - firstRowOfRun >= config.rowsPerRun || workflowInfo().continueAsNewSuggested;
  syncProgress();
  if (!carried) await notify.started(progress);
  while (state.nextRow <= rows.length && !state.stopReason && !runFull()) {
    if (running.size >= config.maxConcurrentRows) {
      await Promise.race([...running.values(), stopRequested]);
      continue;
    }
    startRow(state.nextRow++);
    await flush(false);
  }
  await CancellationScope.nonCancellable(() => Promise.all(running.values()));

  if (state.nextRow <= rows.length && !state.stopReason) {
    await flush(false);
    await notify.drain();
    // Children of this run are done: the next run starts with an empty window and the carried counters.
    await continueAsNew<typeof executionJob>(
      { jobId: input.jobId, recording: undefined, config: input.config, origin: input.origin },
      { ...state, run: state.run + 1 },
    );
  }

  // Rows never started because the job stopped: reported as cancelled with no step run, mirrored in a few
  // signals rather than one per row (a cancelled 10,000-row job would otherwise add 20,000 history events).
  const mirrorPerRow = !state.job.mirror || !patched(MIRROR_ROW_EVENTS_PATCH);
  let neverStarted: MirrorEvent[] = [];
  for (; state.nextRow <= rows.length; state.nextRow++) {
    const result: RowResult = { row: state.nextRow, status: 'cancelled', durationMs: 0, sessionRestarts: 0, steps: [] };
    record(result, mirrorPerRow);
    if (!mirrorPerRow) neverStarted.push(rowEndEvent(input.jobId, result, Date.now()));
    if (neverStarted.length >= NEVER_STARTED_ROWS_PER_SIGNAL) {
      void mirror.emit(input.jobId, neverStarted);
      neverStarted = [];
    }
    await flush(false);
  }
  void mirror.emit(input.jobId, neverStarted);
  await flush(true);
  const summary = summarize(state, input.jobId, workflowId, Date.now());
  progress.status = summary.status;
  visibility.status(summary.status);
  const { rows: r } = summary;
  const errorMessage = summary.reason ?? (r.failed > 0 ? `${r.failed} of ${r.total} row(s) failed` : undefined);
  await mirror.emit(input.jobId, [
    jobEvent({
      status: summary.status,
      completedAt: Date.now(),
      durationMs: summary.durationMs,
      errorMessage,
      resultsLocation: summary.resultsLocation,
    }),
    { kind: 'end', jobId: input.jobId },
  ]);
  await notify.ended(summary, progress);
  return summary;
}

function failPrepared(err: unknown): never {
  showPrepareFailed();
  throw err;
}

/**
 * Starts the job's mirror workflow (abandoned on close: it may keep writing after the job is done, while
 * Supabase catches up) and announces the job and all its rows.
 */
async function startMirror(jobId: string, job: PreparedJob, running: JobEvent): Promise<void> {
  // Non-cancellable: cancelling the job must not cancel its mirror, which still has to record the cancel.
  await CancellationScope.nonCancellable(() =>
    startChild(jobMirror, { workflowId: mirrorWorkflowId(jobId), args: [jobId], parentClosePolicy: ParentClosePolicy.ABANDON }),
  );
  const isSecret = (column: string) => job.secretColumns.includes(column);
  await workflowMirrorSink({ mirrored: true }).emit(jobId, [
    running,
    { kind: 'rowsQueued', jobId, rows: job.rows.map((values, i) => ({ row: i + 1, valuesMasked: maskRow(values, isSecret) })) },
  ]);
}
