/**
 * What the mirror writes to Supabase, as events. Workflows signal theirs to the job's mirror workflow, which
 * applies them in order through an activity that Temporal retries until Supabase answers. Activities (step
 * logs, a row's session opening, screenshots) write theirs straight from the worker and fall back to that
 * workflow when Supabase does not answer (see direct-first-sender.ts). Every event maps to rows with
 * deterministic ids, so applying one twice, or out of order, is harmless.
 */
export type MirrorJobStatus = 'queued' | 'running' | 'passed' | 'failed' | 'cancelled';

export interface JobEvent {
  kind: 'job';
  jobId: string;
  status: MirrorJobStatus;
  workflowId?: string;
  runId?: string;
  rowsTotal?: number;
  stepsTotal?: number;
  counters?: {
    rows: { passed: number; failed: number; cancelled: number };
    steps: { passed: number; failed: number; skipped: number };
  };
  startedAt?: number;
  completedAt?: number;
  durationMs?: number;
  errorMessage?: string;
  resultsLocation?: string;
}

/** All rows, once, as queued: the portal sees the whole job at once. */
export interface RowsQueuedEvent {
  kind: 'rowsQueued';
  jobId: string;
  rows: Array<{ row: number; valuesMasked: Record<string, string> }>;
}

export interface RowEvent {
  kind: 'row';
  jobId: string;
  row: number;
  status: MirrorJobStatus;
  workerId?: string;
  sessionRestarts?: number;
  durationMs?: number;
  errorMessage?: string;
  errorStepIndex?: number;
  errorType?: string;
  startedAt?: number;
  completedAt?: number;
  /**
   * The row's values with secret columns masked. Sent with the row's first `running` event too: written
   * straight from a worker, it may land before the job's `rowsQueued` event, which never overwrites a row.
   */
  valuesMasked?: Record<string, string>;
}

export interface LogEvent {
  kind: 'log';
  jobId: string;
  row: number;
  sessionAttempt: number;
  stepIndex: number;
  attempt: number;
  stepType: string;
  event: 'started' | 'passed' | 'failed';
  durationMs?: number;
  selectorUsed?: string;
  healed?: boolean;
  message?: string;
  occurredAt: number;
}

export interface ScreenshotEvent {
  kind: 'screenshot';
  jobId: string;
  row: number;
  stepIndex: number;
  /** File on the worker that took it; uploaded by an activity on that worker's own queue. */
  localPath: string;
  workerTaskQueue: string;
}

/** The job is over: once everything before it is written, the mirror workflow ends. */
export interface EndEvent {
  kind: 'end';
  jobId: string;
}

export type MirrorEvent = JobEvent | RowsQueuedEvent | RowEvent | LogEvent | ScreenshotEvent | EndEvent;

export const logId = (e: LogEvent): string => `${e.jobId}:${e.row}:${e.sessionAttempt}:${e.stepIndex}:${e.attempt}:${e.event}`;
export const rowId = (jobId: string, row: number): string => `${jobId}:${row}`;
export const screenshotStoragePath = (e: ScreenshotEvent): string => `${e.jobId}/row-${e.row}-step-${e.stepIndex}.png`;

/** How a finished row is mirrored. Pure: the job workflow builds it from the row's result. */
export function rowEndEvent(
  jobId: string,
  result: {
    row: number;
    status: MirrorJobStatus;
    workerId?: string;
    sessionRestarts: number;
    durationMs: number;
    error?: { message: string; stepIndex: number; type: string };
  },
  completedAt: number,
): RowEvent {
  return {
    kind: 'row',
    jobId,
    row: result.row,
    status: result.status,
    workerId: result.workerId,
    sessionRestarts: result.sessionRestarts,
    durationMs: result.durationMs,
    // Also on the end: the worker's own `running` write is sent without waiting, and one that lands after the
    // end is refused by the status guard, which would leave the row without a start.
    startedAt: completedAt - result.durationMs,
    errorMessage: result.error?.message,
    errorStepIndex: result.error?.stepIndex,
    errorType: result.error?.type,
    completedAt,
  };
}

/** Where a step attempt happened: the job, the row, and which of the row's sessions. */
export interface AttemptPlace {
  jobId: string;
  row: number;
  sessionAttempt: number;
}

/** How one step attempt is mirrored: its log line, plus the screenshot it took (uploaded from `workerTaskQueue`). */
export function stepAttemptEvents(
  place: AttemptPlace,
  attempt: {
    stepIndex: number;
    stepType: string;
    attempt: number;
    event: LogEvent['event'];
    durationMs?: number;
    selectorUsed?: string;
    healed?: boolean;
    message?: string;
    screenshot?: string;
  },
  workerTaskQueue: string,
  occurredAt: number,
): MirrorEvent[] {
  const log: LogEvent = {
    kind: 'log',
    ...place,
    stepIndex: attempt.stepIndex,
    attempt: attempt.attempt,
    stepType: attempt.stepType,
    event: attempt.event,
    occurredAt,
    ...(attempt.durationMs !== undefined ? { durationMs: attempt.durationMs } : {}),
    ...(attempt.selectorUsed !== undefined ? { selectorUsed: attempt.selectorUsed, healed: attempt.healed } : {}),
    ...(attempt.message !== undefined ? { message: attempt.message } : {}),
  };
  if (!attempt.screenshot) return [log];
  const shot: ScreenshotEvent = {
    kind: 'screenshot',
    jobId: place.jobId,
    row: place.row,
    stepIndex: attempt.stepIndex,
    localPath: attempt.screenshot,
    workerTaskQueue,
  };
  return [log, shot];
}
